import { randomUUID } from 'node:crypto';
import type { SessionData } from '../session/index.ts';
import { type ExpiryRules, estimateAccessTokenExpiry, estimateSessionExpiry } from './token-expiry.ts';

/** The parts of a token response (RFC 6749 section 5.1) a session is built from. */
export interface TokenResponse {
  access_token: string;
  expires_in?: number | undefined;
  refresh_token?: string | undefined;
  scope?: string | undefined;
  [extra: string]: unknown;
}

/** Who signed in, from the ID token (and userinfo). */
export interface SignedInUser {
  sub: string;
  name: string;
  roles: string[];
  sid: string | undefined;
}

export interface SessionTimingRules {
  expiryRules: ExpiryRules;
  /** The provider's refresh-token absolute lifetime, when configured: the session ends then. */
  absoluteLifetimeSeconds: number | undefined;
}

/** A scope string with each value once, in first-seen order (some providers repeat values). */
export function normaliseScope(scope: string | undefined): string | undefined {
  if (scope === undefined) return undefined;
  return [...new Set(scope.split(' ').filter(Boolean))].join(' ');
}

/**
 * Builds the session from a token response: at sign-in from the signed-in `user`, after a refresh
 * from the `previous` session (same user and BFF session, one more refresh). `requestStartedAt` is
 * the clock reading taken before the token request was sent, so every estimate errs early.
 */
export function sessionFromTokenResponse(
  input: { tokens: TokenResponse; requestStartedAt: number; rules: SessionTimingRules } & (
    | { user: SignedInUser; previous?: undefined }
    | { previous: SessionData; user?: undefined }
  ),
): SessionData {
  const { tokens, requestStartedAt, rules, previous } = input;
  const { expiresAt } = estimateAccessTokenExpiry(tokens, requestStartedAt, rules.expiryRules);
  // The configured absolute end counts from the sign-in; a lifetime the provider states in the
  // response (often an idle timeout) moves with each token response.
  const signedInAt = previous?.startedAt ?? requestStartedAt;
  const sessionExpiresAt = estimateSessionExpiry({
    signedInAt,
    absoluteLifetimeSeconds: rules.absoluteLifetimeSeconds,
    response: tokens,
    requestStartedAt,
  });
  const timing = {
    accessToken: tokens.access_token,
    accessTokenExpiresAt: expiresAt,
    sessionExpiresAt,
  };
  if (previous) {
    return {
      ...previous,
      ...timing,
      // A provider that does not rotate refresh tokens sends none: the current one stays good.
      refreshToken: tokens.refresh_token ?? previous.refreshToken,
      scope: normaliseScope(tokens.scope) ?? previous.scope,
      lastRefreshAt: Date.now(),
      refreshCount: previous.refreshCount + 1,
    };
  }
  const { user } = input;
  return {
    v: 1,
    bffSessionId: randomUUID(),
    sub: user.sub,
    name: user.name,
    roles: user.roles,
    sid: user.sid,
    ...timing,
    refreshToken: tokens.refresh_token,
    scope: normaliseScope(tokens.scope),
    startedAt: requestStartedAt,
    refreshCount: 0,
  };
}
