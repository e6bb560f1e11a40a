import { lazy, Suspense, useEffect } from 'react';
import { AlertsPage } from '../alerts/AlertsPage.tsx';
import { ConnectionBanners } from '../components/ConnectionBanners.tsx';
import { JobNotificationRegion } from '../components/JobNotificationRegion.tsx';
import { FleetPage } from '../fleet/FleetPage.tsx';
import { navigate, useRoute } from '../router/router.tsx';
import { describeSignInError, signInNeedsUser } from '../signin/sign-in-errors.ts';
import { AppHeader } from './AppHeader.tsx';
import { LiveUpdates } from './live-updates.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';

// The device page carries uPlot: loaded when first opened, not with the first screen.
const DevicePage = lazy(() => import('../device/DevicePage.tsx').then((m) => ({ default: m.DevicePage })));
// The Jobs pages (forms, tables, the audit timeline) are one route chunk, also loaded when first opened.
const JobsPage = lazy(() => import('../jobs/jobs-pages.ts').then((m) => ({ default: m.JobsPage })));
const JobPage = lazy(() => import('../jobs/jobs-pages.ts').then((m) => ({ default: m.JobPage })));

/**
 * The app for a signed-in user: header, banners, the current route's page, and the live event
 * stream with its notifications (one connection for the whole signed-in app).
 */
export function SignedInLayout({ signInError }: { signInError: string | undefined }) {
  const route = useRoute();
  useEffect(() => {
    // Signed in after all (another tab signed in again): the signed-out page has nothing to say.
    if (route.name === 'signed-out') navigate('/', { replace: true });
  }, [route.name]);
  return (
    <LiveUpdates>
      <AppHeader />
      <ConnectionBanners />
      <JobNotificationRegion />
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
        {route.name === 'jobs' && (
          <Suspense fallback={<p className="loading">Loading jobs…</p>}>
            <JobsPage filters={route.filters} />
          </Suspense>
        )}
        {route.name === 'job' && (
          <Suspense fallback={<p className="loading">Loading job…</p>}>
            <JobPage key={route.id} id={route.id} page={route.page} />
          </Suspense>
        )}
        {route.name === 'not-found' && <NotFoundPage path={route.path} />}
      </main>
    </LiveUpdates>
  );
}
