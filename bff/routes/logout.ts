import { Hono } from 'hono';
import type { AuditLog } from '../audit.ts';
import type { EndedSessions } from '../coordination/ended-sessions.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { SessionCookieCodec } from '../session/index.ts';
import type { LogoutHintCookie } from './logout-hint-cookie.ts';

const REVOCATION_BUDGET_MS = 3000;

/**
 * `POST /bff/logout`: ends the session everywhere (a copied cookie stops working), revokes the refresh
 * token where the provider can (RFC 7009; a failure is logged and logout still completes), clears the
 * cookies and answers `{ logoutUrl, revoked }` for RP-initiated logout at the identity provider.
 * `revoked: false` says plainly that the refresh token lives on at the provider until it expires.
 */
export function logoutRoute(deps: {
  oidc: OidcClient;
  sessions: SessionCookieCodec;
  ended: EndedSessions;
  audit: AuditLog;
  postLogoutRedirectUri: string;
  logoutHint: LogoutHintCookie | undefined;
}) {
  return new Hono().post('/', async (c) => {
    const session = await deps.sessions.read(c);
    const idTokenHint = await deps.logoutHint?.take(c);
    deps.sessions.clear(c);
    let revoked = false;
    if (session) {
      await deps.ended.endSession(session.bffSessionId);
      let revocationError: string | undefined;
      if (session.refreshToken) {
        try {
          const outcome = await deps.oidc.revoke(session.refreshToken, REVOCATION_BUDGET_MS);
          revoked = outcome === 'revoked';
          if (outcome === 'unsupported') {
            deps.audit.record('revocation_unsupported', {
              bffSessionId: session.bffSessionId,
              sub: session.sub,
              note: 'the provider has no revocation endpoint: the refresh token lives until it expires',
            });
          }
        } catch (error) {
          revocationError = error instanceof Error ? error.name : 'unknown';
        }
      }
      deps.audit.record('logout', {
        bffSessionId: session.bffSessionId,
        sub: session.sub,
        revoked,
        revocationError,
      });
    }
    const logoutUrl =
      (await deps.oidc.endSessionUrl(deps.postLogoutRedirectUri, idTokenHint).catch(() => undefined)) ?? '/';
    return c.json({ logoutUrl, revoked });
  });
}
