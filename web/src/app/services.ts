import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../api/query-keys.ts';
import { createSessionEndedStore, type SessionEndedStore } from '../signin/session-ended-store.ts';
import { createSessionExpiryHandler } from '../signin/session-expiry.ts';
import { signInNeedsUser } from '../signin/sign-in-errors.ts';
import type { SilentSignInGuard } from '../signin/silent-sign-in-guard.ts';
import type { StartupParams } from '../signin/startup-params.ts';
import { createAppQueryClient } from './query-client.ts';

export interface AppServices {
  queryClient: QueryClient;
  sessionEnded: SessionEndedStore;
}

/**
 * Wires the session rules into the query client: `session_expired` from any call tries one silent
 * sign-in (or shows the session-ended banner), `unauthenticated` shows the signed-out landing.
 */
export function createAppServices(deps: {
  startup: StartupParams;
  guard: SilentSignInGuard;
  currentReturnTo: () => string;
  assign: (url: string) => void;
}): AppServices {
  const { signInError } = deps.startup;
  const sessionEnded = createSessionEndedStore(signInError !== undefined && signInNeedsUser(signInError));
  const onSessionExpired = createSessionExpiryHandler({ ...deps, sessionEnded });
  const queryClient: QueryClient = createAppQueryClient({
    onSessionExpired() {
      onSessionExpired();
      // The BFF cleared the cookie with that answer: when no silent sign-in starts, we are signed out.
      if (sessionEnded.isEnded()) queryClient.setQueryData(queryKeys.session(), null);
    },
    onUnauthenticated() {
      queryClient.setQueryData(queryKeys.session(), null);
    },
  });
  return { queryClient, sessionEnded };
}
