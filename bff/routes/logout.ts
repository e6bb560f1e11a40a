import { Hono } from 'hono';
import type { AuditLog } from '../audit.ts';
import type { EndedSessions } from '../coordination/ended-sessions.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { SessionCookieCodec } from '../session/index.ts';

const REVOCATION_BUDGET_MS = 3000;

/**
 * `POST /bff/logout`: ends the session everywhere (a copied cookie stops working), revokes the refresh
 * token (RFC 7009; a failure is logged and logout still completes), clears the cookies and answers
 * `{ logoutUrl }` for RP-initiated logout at the identity provider.
 */
export function logoutRoute(deps: {
  oidc: OidcClient;
  sessions: SessionCookieCodec;
  ended: EndedSessions;
  audit: AuditLog;
  postLogoutRedirectUri: string;
}) {
  return new Hono().post('/', async (c) => {
    const session = await deps.sessions.read(c);
    deps.sessions.clear(c);
    if (session) {
      await deps.ended.endSession(session.bffSessionId);
      let revoked = false;
      let revocationError: string | undefined;
      if (session.refreshToken) {
        try {
          await deps.oidc.revoke(session.refreshToken, REVOCATION_BUDGET_MS);
          revoked = true;
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
      (await deps.oidc.endSessionUrl(deps.postLogoutRedirectUri).catch(() => undefined)) ?? '/';
    return c.json({ logoutUrl });
  });
}
