import { SIGNED_OUT_STATE } from './startup-params.ts';

export type LogoutDestination = { kind: 'identity-provider'; url: string } | { kind: 'signed-out-page' };

/**
 * Where to go after `POST /bff/logout`: the identity provider's logout endpoint (RP-initiated logout),
 * with `state` so the app knows, when the provider returns to `/`, that the user just signed out; or,
 * when the BFF has no such endpoint (`logoutUrl` is '/'), straight to the signed-out page.
 */
export function logoutDestination(logoutUrl: string, appOrigin: string): LogoutDestination {
  let url: URL;
  try {
    url = new URL(logoutUrl, appOrigin);
  } catch {
    return { kind: 'signed-out-page' };
  }
  if (url.origin === appOrigin || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return { kind: 'signed-out-page' };
  }
  if (!url.searchParams.has('state')) url.searchParams.set('state', SIGNED_OUT_STATE);
  return { kind: 'identity-provider', url: url.href };
}
