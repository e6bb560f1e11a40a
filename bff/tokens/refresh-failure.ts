import * as oauth from 'oauth4webapi';
import { type ProviderProfile, type RefreshFailureClass, refreshErrorClass } from '../providers/index.ts';

export type { RefreshFailureClass };

/** A failed refresh: what it means for the session, and what the provider said (for the audit log). */
export interface RefreshFailure {
  failure: RefreshFailureClass;
  /** The provider's OAuth error code, when it sent one. */
  oauthError: string | undefined;
  status: number | undefined;
}

/**
 * Classifies a token-endpoint failure by what it means for the session (RFC 6749 section 5.2 as the
 * profile reads it): any 4xx OAuth error ends the session except the provider refusing our client,
 * which is our configuration; network errors, timeouts, 5xx and 429 are transient. A provider that
 * answers a dead refresh token with `400 invalid_request` therefore ends the session too, instead of
 * being retried on every request forever.
 */
export function classifyRefreshFailure(error: unknown, profile: ProviderProfile): RefreshFailure {
  if (error instanceof oauth.ResponseBodyError) {
    return {
      failure: refreshErrorClass(profile, error.status, error.error),
      oauthError: error.error,
      status: error.status,
    };
  }
  // A 401 with a challenge from the token endpoint: client authentication failed (RFC 6749 5.2).
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    return { failure: 'client_rejected', oauthError: 'invalid_client', status: error.status };
  }
  // Network errors, timeouts, non-JSON answers; and anything else (a malformed answer, an ID token
  // that fails validation): not the user's fault and not worth a sign-out. The circuit keeps us
  // from repeating it on every request.
  return { failure: 'transient', oauthError: undefined, status: undefined };
}

/** Seconds the provider asked us to wait (`Retry-After`), when it said so within reason. */
export function providerRetryAfterSeconds(error: unknown): number | undefined {
  const response = (error as { response?: Response })?.response;
  const header = response?.headers?.get('retry-after');
  const seconds = header ? Number(header) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 && seconds <= 600 ? Math.ceil(seconds) : undefined;
}
