import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { navigate } from '../router/router.tsx';
import { logoutDestination } from '../signin/logout-destination.ts';
import { hasCode } from './api-error.ts';
import { request } from './http.ts';
import { queryKeys } from './query-keys.ts';
import type { LogoutAnswer, SessionInfo } from './types.ts';

/** Who is signed in, or `null` when nobody is (`401 unauthenticated`). Polled to show session changes. */
export function useSession() {
  return useQuery({
    queryKey: queryKeys.session(),
    queryFn: async ({ signal }): Promise<SessionInfo | null> => {
      try {
        return await request<SessionInfo>('/bff/session', { signal });
      } catch (error) {
        if (hasCode(error, 'unauthenticated')) return null;
        throw error;
      }
    },
    refetchInterval: 60_000,
    staleTime: 30_000,
  });
}

/**
 * Signs out at the BFF (which revokes and forgets the session), then lets the identity provider end
 * its own session; it comes back to `/`, marked so the app says "You have signed out.".
 */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => request<LogoutAnswer>('/bff/logout', { method: 'POST' }),
    onSuccess: ({ logoutUrl }) => {
      const destination = logoutDestination(logoutUrl, window.location.origin);
      if (destination.kind === 'identity-provider') {
        window.location.assign(destination.url);
        return;
      }
      queryClient.setQueryData(queryKeys.session(), null);
      navigate({ name: 'signed-out' });
    },
  });
}
