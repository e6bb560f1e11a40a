import { Hono } from 'hono';
import { BffError, errorResponse } from '../errors.ts';
import { parseReturnTo } from '../http/index.ts';
import type { LoginTransactions } from '../login-transaction.ts';
import { OidcClient } from '../oidc/oidc-client.ts';

const ALLOWED_PROMPTS = new Set(['none', 'login']);

/**
 * `GET /bff/login?returnTo=/path&prompt=none`: starts authorization code + PKCE. `prompt=none` is the
 * SPA's silent re-authentication; `returnTo` must be a same-origin relative path.
 */
export function loginRoute(deps: { oidc: OidcClient; transactions: LoginTransactions }) {
  return new Hono().get('/', async (c) => {
    const returnTo = parseReturnTo(c.req.query('returnTo'));
    if (!returnTo.ok) {
      return errorResponse(c, new BffError('bad_request', 400, `returnTo rejected (${returnTo.reason})`));
    }
    const prompt = c.req.query('prompt') || undefined;
    if (prompt !== undefined && !ALLOWED_PROMPTS.has(prompt)) {
      return errorResponse(c, new BffError('bad_request', 400, 'prompt must be "none" or "login"'));
    }
    const secrets = await OidcClient.newLoginSecrets();
    const url = await deps.oidc.authorizationUrl({ ...secrets, prompt });
    await deps.transactions.start(c, {
      state: secrets.state,
      nonce: secrets.nonce,
      codeVerifier: secrets.codeVerifier,
      returnTo: returnTo.path,
      prompt,
      createdAt: Date.now(),
    });
    c.header('cache-control', 'no-store');
    return c.redirect(url.href, 302);
  });
}
