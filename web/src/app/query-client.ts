import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError } from '../api/api-error.ts';
import { retryDelay, shouldRetry } from './retry-policy.ts';

export interface SessionSignals {
  /** `401 session_expired`: the BFF's refresh token is dead; try a silent sign-in. */
  onSessionExpired(): void;
  /** `401 unauthenticated`: there is no session (any more); show the signed-out landing. */
  onUnauthenticated(): void;
}

/** The app's QueryClient: every query and mutation reports 401s here, whatever screen made the call. */
export function createAppQueryClient(signals: SessionSignals): QueryClient {
  const onError = (error: unknown) => {
    if (!isApiError(error) || error.status !== 401) return;
    if (error.code === 'session_expired') signals.onSessionExpired();
    else if (error.code === 'unauthenticated') signals.onUnauthenticated();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: { retry: shouldRetry, retryDelay, staleTime: 5_000, refetchOnWindowFocus: true },
      // A command or an acknowledgement is never sent twice on its own.
      mutations: { retry: false },
    },
  });
}
