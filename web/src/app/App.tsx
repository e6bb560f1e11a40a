import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { hasCode } from '../api/api-error.ts';
import { useSession } from '../api/session-hooks.ts';
import { SignedOutLanding } from '../components/SignedOutLanding.tsx';
import { useRoute } from '../router/router.tsx';
import { type SessionEndedStore, useSessionEnded } from '../signin/session-ended-store.ts';
import type { StartupParams } from '../signin/startup-params.ts';
import { SignedInLayout } from './SignedInLayout.tsx';
import { SignedInUserProvider, userFromSession } from './signed-in-user.tsx';

export interface AppProps {
  queryClient: QueryClient;
  sessionEnded: SessionEndedStore;
  startup: StartupParams;
}

export function App({ queryClient, sessionEnded, startup }: AppProps) {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionGate sessionEnded={sessionEnded} startup={startup} />
    </QueryClientProvider>
  );
}

/** Decides between the signed-in app and the signed-out landing, on the route the user opened. */
function SessionGate({ sessionEnded, startup }: Omit<AppProps, 'queryClient'>) {
  const session = useSession();
  const ended = useSessionEnded(sessionEnded);
  const route = useRoute();

  if (session.data) {
    return (
      <SignedInUserProvider user={userFromSession(session.data)}>
        <SignedInLayout signInError={startup.signInError} />
      </SignedInUserProvider>
    );
  }
  if (session.data === null || ended) {
    return (
      <SignedOutLanding
        sessionEnded={ended}
        signedOut={route.name === 'signed-out' || startup.signedOut}
        signInError={startup.signInError}
      />
    );
  }
  if (session.isPending && !session.isError && session.failureReason === null) {
    return (
      <p className="loading" aria-busy="true">
        Loading…
      </p>
    );
  }
  const failure = session.error ?? session.failureReason;
  if (hasCode(failure, 'idp_unavailable')) {
    return (
      <main className="landing" id="main">
        <div className="landing-card">
          <h1>IoT Fleet Monitor</h1>
          <p className="banner banner-quiet" data-testid="banner-idp">
            Sign-in service unavailable — showing the last data, retrying…
          </p>
        </div>
      </main>
    );
  }
  if (hasCode(failure, 'session_expired')) {
    return (
      <p className="loading" aria-busy="true">
        Your session ended; signing you in again…
      </p>
    );
  }
  return (
    <main className="landing" id="main">
      <div className="landing-card">
        <h1>IoT Fleet Monitor</h1>
        <p className="banner banner-warning" role="alert">
          The app server could not be reached{failure instanceof Error ? ` (${failure.message})` : ''}.
        </p>
        <button type="button" className="button-primary" onClick={() => void session.refetch()}>
          Try again
        </button>
      </div>
    </main>
  );
}
