import { useEffect, useRef } from 'react';
import { navigationCount } from '../router/router.tsx';

/**
 * The page's `<h1>`. After an in-app navigation it takes the focus, so keyboard and screen-reader
 * users start on the new page (not on the first load, where the browser's own order applies).
 */
export function PageHeading({ children, title }: { children: string; title?: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navigationCount() > 0) heading.current?.focus({ preventScroll: true });
  }, []);
  const documentTitle = title ?? children;
  useEffect(() => {
    document.title = `${documentTitle} · IoT Fleet Monitor`;
  }, [documentTitle]);
  return (
    <h1 ref={heading} tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
}
