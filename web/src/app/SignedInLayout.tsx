import { lazy, Suspense, useEffect } from 'react';
import { AlertsPage } from '../alerts/AlertsPage.tsx';
import { ConnectionBanners } from '../components/ConnectionBanners.tsx';
import { FleetPage } from '../fleet/FleetPage.tsx';
import { navigate, useRoute } from '../router/router.tsx';
import { describeSignInError, signInNeedsUser } from '../signin/sign-in-errors.ts';
import { AppHeader } from './AppHeader.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';

// The device page carries uPlot: loaded when first opened, not with the first screen.
const DevicePage = lazy(() => import('../device/DevicePage.tsx').then((m) => ({ default: m.DevicePage })));

/** The app for a signed-in user: header, banners and the current route's page. */
export function SignedInLayout({ signInError }: { signInError: string | undefined }) {
  const route = useRoute();
  useEffect(() => {
    // Signed in after all (another tab signed in again): the signed-out page has nothing to say.
    if (route.name === 'signed-out') navigate('/', { replace: true });
  }, [route.name]);
  return (
    <>
      <AppHeader />
      <ConnectionBanners />
      {signInError && !signInNeedsUser(signInError) && (
        <p className="banner banner-warning" role="alert">
          {describeSignInError(signInError)}
        </p>
      )}
      <main id="main" className="page">
        {route.name === 'fleet' && <FleetPage filters={route.filters} />}
        {route.name === 'alerts' && <AlertsPage />}
        {route.name === 'device' && (
          <Suspense fallback={<p className="loading">Loading device…</p>}>
            <DevicePage key={route.id} id={route.id} range={route.range} />
          </Suspense>
        )}
        {route.name === 'not-found' && <NotFoundPage path={route.path} />}
      </main>
    </>
  );
}
