import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AuditLog } from '../audit.ts';
import type { CoordinationStore } from '../coordination/coordination-store.ts';
import type { EndedSessions } from '../coordination/ended-sessions.ts';
import { coordinationKeys } from '../coordination/keys.ts';
import { BffError, errorResponse } from '../errors.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';

const JTI_MEMORY_MS = 10 * 60 * 1000;
/** A logout token is a few KB; without a cap a client could make us buffer any body. */
export const BACKCHANNEL_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * `POST /bff/backchannel-logout` (OIDC Back-Channel Logout 1.0): validates the logout token and ends
 * the matching sessions, by `sid` or else every session of `sub`. Answers 200, 400 `bad_request` with
 * a reason, or 413 `payload_too_large` for a body over BACKCHANNEL_BODY_LIMIT_BYTES.
 */
export function backchannelLogoutRoute(deps: {
  oidc: OidcClient;
  ended: EndedSessions;
  store: CoordinationStore;
  audit: AuditLog;
}) {
  const rejected = (c: Context, reason: string, error: BffError) => {
    deps.audit.record('backchannel_logout_rejected', { reason, requestId: c.get('requestId') });
    return errorResponse(c, error);
  };
  const reject = (c: Context, reason: string) =>
    rejected(c, reason, new BffError('bad_request', 400, `Logout token rejected: ${reason}`));

  return new Hono().post('/', limitedBody(rejected), async (c) => {
    c.header('cache-control', 'no-store');
    if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      return reject(c, 'content type must be application/x-www-form-urlencoded');
    }
    let body: string;
    try {
      body = await c.req.text();
    } catch {
      // The client broke off mid-body (or the body stream failed): their error, not ours.
      return reject(c, 'unreadable body');
    }
    const form = new URLSearchParams(body);
    const logoutToken = form.get('logout_token');
    if (!logoutToken || form.getAll('logout_token').length !== 1)
      return reject(c, 'one logout_token is required');

    let claims: Awaited<ReturnType<OidcClient['verifyLogoutToken']>>;
    try {
      claims = await deps.oidc.verifyLogoutToken(logoutToken);
    } catch (error) {
      if (error instanceof BffError && error.status === 503) return errorResponse(c, error);
      return reject(c, error instanceof Error ? error.message : 'invalid token');
    }
    if (!(await deps.store.setIfAbsent(coordinationKeys.backchannelJti(claims.jti), '1', JTI_MEMORY_MS))) {
      return reject(c, 'logout token replayed');
    }
    if (claims.sid) await deps.ended.endIdpSession(claims.sid);
    else if (claims.sub) await deps.ended.endUser(claims.sub);
    deps.audit.record('backchannel_logout', {
      sid: claims.sid,
      sub: claims.sub,
      requestId: c.get('requestId'),
    });
    return c.body(null, 200);
  });
}

/**
 * hono/body-limit: a declared length over the limit is refused unread; a streamed body is read only
 * up to the limit. A body stream that fails while being read is answered 400, not 500.
 */
function limitedBody(rejected: (c: Context, reason: string, error: BffError) => Response): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: BACKCHANNEL_BODY_LIMIT_BYTES,
    onError: (c) =>
      rejected(
        c,
        'body too large',
        new BffError(
          'payload_too_large',
          413,
          `The body may be at most ${BACKCHANNEL_BODY_LIMIT_BYTES} bytes`,
        ),
      ),
  });
  return async (c, next) => {
    let reachedRoute = false;
    try {
      return await limit(c, async () => {
        reachedRoute = true;
        await next();
      });
    } catch (error) {
      // Errors of the route itself are not about the body: they go on to app.onError.
      if (reachedRoute) throw error;
      return rejected(
        c,
        'unreadable body',
        new BffError('bad_request', 400, 'Logout token rejected: unreadable body'),
      );
    }
  };
}
