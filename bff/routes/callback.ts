import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import * as oauth from 'oauth4webapi';
import type { AuditLog } from '../audit.ts';
import { BffError } from '../errors.ts';
import type { LoginTransactions } from '../login-transaction.ts';
import { isTransientIdpFailure, type OidcClient } from '../oidc/oidc-client.ts';
import type { SessionCookieCodec, SessionData } from '../session/index.ts';
import { type ExpiryRules, estimateAccessTokenExpiry, estimateSessionExpiry } from '../tokens/index.ts';

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

function withReason(path: string, reason: string): string {
  const url = new URL(path, 'http://app.invalid');
  url.searchParams.set('signin_error', reason);
  return `${url.pathname}${url.search}${url.hash}`;
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * `GET /bff/callback`: checks `state` against the sealed login transaction, then `iss` (RFC 9207), the
 * code exchange and the ID token with its nonce; seals the session and returns to `returnTo`. Every
 * failure returns the user to the SPA with `signin_error=<code>`, never a 500.
 */
export function callbackRoute(deps: {
  oidc: OidcClient;
  transactions: LoginTransactions;
  sessions: SessionCookieCodec;
  audit: AuditLog;
  expiryRules: ExpiryRules;
  /** The IdP's refresh-token absolute lifetime, when configured: the session ends then. */
  sessionAbsoluteLifetimeSeconds: number | undefined;
}) {
  return new Hono().get('/', async (c) => {
    c.header('cache-control', 'no-store');
    const url = new URL(c.req.url);
    const tx = await deps.transactions.finish(c, url.searchParams.get('state') ?? undefined);
    const fail = (reason: string, returnTo = '/') => {
      deps.audit.record('sign_in_failed', { reason, prompt: tx?.prompt });
      return c.redirect(withReason(returnTo, reason), 303);
    };
    // Unknown, expired or already used state: a replayed or forged callback, or a very slow sign-in.
    if (!tx) return fail('sign_in_expired');

    const requestStartedAt = Date.now();
    let result: Awaited<ReturnType<OidcClient['exchangeCode']>>;
    try {
      result = await deps.oidc.exchangeCode(url, tx);
    } catch (error) {
      return fail(failureReason(error), tx.returnTo);
    }
    const { tokens, claims } = result;
    const { expiresAt } = estimateAccessTokenExpiry(tokens, requestStartedAt, deps.expiryRules);
    const session: SessionData = {
      v: 1,
      bffSessionId: randomUUID(),
      sub: claims.sub,
      name: typeof claims.name === 'string' ? claims.name : String(claims.preferred_username ?? claims.sub),
      roles: stringList(claims.roles),
      sid: typeof claims.sid === 'string' ? claims.sid : undefined,
      accessToken: tokens.access_token,
      accessTokenExpiresAt: expiresAt,
      refreshToken: tokens.refresh_token,
      scope: tokens.scope,
      // The time before the code exchange, as the IdP counts its lifetimes from issuing: errs early.
      startedAt: requestStartedAt,
      refreshCount: 0,
      sessionExpiresAt: estimateSessionExpiry({
        signedInAt: requestStartedAt,
        absoluteLifetimeSeconds: deps.sessionAbsoluteLifetimeSeconds,
        response: tokens,
        requestStartedAt,
      }),
    };
    try {
      await deps.sessions.write(c, session);
    } catch (error) {
      return fail(failureReason(error), tx.returnTo);
    }
    deps.audit.record('sign_in', {
      bffSessionId: session.bffSessionId,
      sub: session.sub,
      roles: session.roles,
    });
    return c.redirect(tx.returnTo, 303);
  });
}
