import { PageHeading } from '../components/PageHeading.tsx';
import { Link } from '../router/router.tsx';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>
        There is nothing at <code>{path}</code>. <Link to="/">Go to the device list</Link>.
      </p>
    </>
  );
}
