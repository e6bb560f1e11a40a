import * as oauth from 'oauth4webapi';
import { isTransientIdpFailure } from '../oidc/oidc-client.ts';

/**
 * What a failed refresh means (DESIGN.md section 5.4). Only `invalid_grant` ends a session; an IdP
 * hiccup must never log anybody out, and a rejected client is our configuration fault.
 */
export type RefreshFailureClass = 'invalid_grant' | 'transient' | 'invalid_client';

export function classifyRefreshFailure(error: unknown): RefreshFailureClass {
  if (error instanceof oauth.ResponseBodyError) {
    if (error.error === 'invalid_grant') return 'invalid_grant';
    if (isTransientIdpFailure(error)) return 'transient';
    return 'invalid_client'; // invalid_client, unauthorized_client, invalid_request, …: we are misconfigured
  }
  // A 401 token-endpoint answer with a challenge: client authentication failed.
  if (error instanceof oauth.WWWAuthenticateChallengeError) return 'invalid_client';
  return 'transient';
}

/** Seconds to suggest in Retry-After: the IdP's own hint when it gave one, else 5. */
export function retryAfterSeconds(error: unknown): number {
  const response = (error as { response?: Response; cause?: unknown })?.response;
  const header = response?.headers.get('retry-after');
  const seconds = header ? Number(header) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 && seconds <= 600 ? Math.ceil(seconds) : 5;
}
