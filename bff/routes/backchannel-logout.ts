import { Hono } from 'hono';
import type { AuditLog } from '../audit.ts';
import type { CoordinationStore } from '../coordination/coordination-store.ts';
import type { EndedSessions } from '../coordination/ended-sessions.ts';
import { BffError, errorResponse } from '../errors.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';

const JTI_MEMORY_MS = 10 * 60 * 1000;

/**
 * `POST /bff/backchannel-logout` (OIDC Back-Channel Logout 1.0): validates the logout token and ends
 * the matching sessions, by `sid` or else every session of `sub`. Answers 200, or 400 with a reason.
 */
export function backchannelLogoutRoute(deps: {
  oidc: OidcClient;
  ended: EndedSessions;
  store: CoordinationStore;
  audit: AuditLog;
}) {
  return new Hono().post('/', async (c) => {
    c.header('cache-control', 'no-store');
    const reject = (reason: string) => {
      deps.audit.record('backchannel_logout_rejected', { reason });
      return errorResponse(c, new BffError('bad_request', 400, `Logout token rejected: ${reason}`));
    };
    if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      return reject('content type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(await c.req.text());
    const logoutToken = form.get('logout_token');
    if (!logoutToken || form.getAll('logout_token').length !== 1)
      return reject('one logout_token is required');

    let claims: Awaited<ReturnType<OidcClient['verifyLogoutToken']>>;
    try {
      claims = await deps.oidc.verifyLogoutToken(logoutToken);
    } catch (error) {
      if (error instanceof BffError && error.status === 503) return errorResponse(c, error);
      return reject(error instanceof Error ? error.message : 'invalid token');
    }
    if (!(await deps.store.setIfAbsent(`bcl:jti:${claims.jti}`, '1', JTI_MEMORY_MS))) {
      return reject('logout token replayed');
    }
    if (claims.sid) await deps.ended.endIdpSession(claims.sid);
    else if (claims.sub) await deps.ended.endUser(claims.sub);
    deps.audit.record('backchannel_logout', { sid: claims.sid, sub: claims.sub });
    return c.body(null, 200);
  });
}
