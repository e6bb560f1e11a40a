import { Hono } from 'hono';
import * as oauth from 'oauth4webapi';
import type { AuditLog } from '../audit.ts';
import { BffError } from '../errors.ts';
import type { LoginTransactions } from '../login-transaction.ts';
import { isTransientIdpFailure, type OidcClient } from '../oidc/oidc-client.ts';
import { type ProviderProfile, rolesClaim, stringClaim } from '../providers/index.ts';
import type { SessionCookieCodec } from '../session/index.ts';
import { type SessionTimingRules, type SignedInUser, sessionFromTokenResponse } from '../tokens/index.ts';
import type { LogoutHintCookie } from './logout-hint-cookie.ts';

/** Maps a failure to a short code the SPA turns into words; never echoes arbitrary input. */
function failureReason(error: unknown): string {
  if (error instanceof oauth.AuthorizationResponseError) {
    return /^[a-z_]{1,40}$/.test(error.error) ? error.error : 'sign_in_failed';
  }
  if (error instanceof BffError) return error.code;
  if (isTransientIdpFailure(error)) return 'idp_unavailable';
  if (error instanceof oauth.OperationProcessingError) return 'invalid_response';
  return 'sign_in_failed';
}

/** What the provider said, for the operators (audit): its error code and description, bounded. */
function providerError(error: unknown): {
  oauthError?: string;
  oauthErrorDescription?: string;
  detail?: string;
} {
  const bounded = (value: unknown) => (typeof value === 'string' ? value.slice(0, 300) : undefined);
  if (error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError) {
    return { oauthError: bounded(error.error), oauthErrorDescription: bounded(error.error_description) };
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0];
    return {
      oauthError: bounded(challenge?.parameters.error) ?? 'invalid_client',
      oauthErrorDescription: bounded(challenge?.parameters.error_description),
    };
  }
  if (error instanceof oauth.OperationProcessingError)
    return { detail: bounded(`${error.code}: ${error.message}`) };
  return { detail: bounded(error instanceof Error ? error.message : undefined) };
}

function withReason(path: string, reason: string): string {
  const url = new URL(path, 'http://app.invalid');
  url.searchParams.set('signin_error', reason);
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * The signed-in user from the ID token's claims, and from userinfo (one call) for what the ID token
 * lacks: many providers put the name and roles only there, or under other names (the profile, or
 * OIDC_NAME_CLAIM / OIDC_ROLES_CLAIM, says where).
 */
async function signedInUser(
  claims: oauth.IDToken,
  accessToken: string,
  oidc: OidcClient,
  profile: ProviderProfile,
): Promise<SignedInUser> {
  const idClaims = claims as unknown as Record<string, unknown>;
  let name = stringClaim(idClaims, profile.nameClaims);
  let roles = rolesClaim(idClaims, profile.rolesClaims);
  if (name === undefined || roles === undefined) {
    const userinfo = await oidc.userinfo(accessToken, claims.sub);
    if (userinfo) {
      name ??= stringClaim(userinfo, profile.nameClaims);
      roles ??= rolesClaim(userinfo, profile.rolesClaims);
    }
  }
  return {
    sub: claims.sub,
    name: name ?? claims.sub,
    roles: roles ?? [],
    sid: typeof claims.sid === 'string' ? claims.sid : undefined,
  };
}

/**
 * `GET /bff/callback`: checks `state` against the sealed login transaction, then `iss` (RFC 9207), the
 * code exchange and the ID token with its nonce; seals the session and returns to `returnTo`. Every
 * failure returns the user to the SPA with `signin_error=<code>`, never a 500, and the audit line
 * says what the provider said.
 */
export function callbackRoute(deps: {
  oidc: OidcClient;
  transactions: LoginTransactions;
  sessions: SessionCookieCodec;
  audit: AuditLog;
  profile: ProviderProfile;
  rules: SessionTimingRules;
  /** Set when the ID token must be kept for RP-initiated logout (OIDC_LOGOUT_ID_TOKEN_HINT). */
  logoutHint: LogoutHintCookie | undefined;
}) {
  return new Hono().get('/', async (c) => {
    c.header('cache-control', 'no-store');
    const url = new URL(c.req.url);
    const tx = await deps.transactions.finish(c, url.searchParams.get('state') ?? undefined);
    const fail = (reason: string, returnTo = '/', error?: unknown) => {
      deps.audit.record('sign_in_failed', {
        reason,
        prompt: tx?.prompt,
        ...(error === undefined ? {} : providerError(error)),
      });
      return c.redirect(withReason(returnTo, reason), 303);
    };
    // Unknown, expired or already used state: a replayed or forged callback, or a very slow sign-in.
    if (!tx) return fail('sign_in_expired');

    const requestStartedAt = Date.now();
    try {
      const { tokens, claims } = await deps.oidc.exchangeCode(url, tx);
      const user = await signedInUser(claims, tokens.access_token, deps.oidc, deps.profile);
      const session = sessionFromTokenResponse({ tokens, requestStartedAt, rules: deps.rules, user });
      await deps.sessions.write(c, session);
      if (deps.logoutHint && tokens.id_token) await deps.logoutHint.write(c, tokens.id_token);
      deps.audit.record('sign_in', {
        bffSessionId: session.bffSessionId,
        sub: session.sub,
        roles: session.roles,
      });
    } catch (error) {
      return fail(failureReason(error), tx.returnTo, error);
    }
    return c.redirect(tx.returnTo, 303);
  });
}
