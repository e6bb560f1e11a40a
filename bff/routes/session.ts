import { Hono } from 'hono';
import { BffError } from '../errors.ts';
import type { SessionData } from '../session/index.ts';
import type { SessionTokensFactory } from '../tokens/index.ts';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * `GET /bff/session`: who is signed in and until when; never a token. It passes the same gate as
 * `/api` (a stale or dead cookie is `401 session_expired` here too, and a due refresh is collected),
 * but an unreachable provider does not make the session look gone: it is still there.
 */
export function sessionRoute(sessionTokens: SessionTokensFactory) {
  return new Hono().get('/', async (c) => {
    const tokens = await sessionTokens(c);
    let session: SessionData;
    try {
      session = await tokens.freshSession();
    } catch (error) {
      if (!(error instanceof BffError) || error.code !== 'idp_unavailable') throw error;
      session = tokens.session;
    }
    return c.json({
      authenticated: true,
      user: { sub: session.sub, name: session.name, roles: session.roles },
      accessTokenExpiresAt: iso(session.accessTokenExpiresAt),
      session: {
        startedAt: iso(session.startedAt),
        expiresAt: iso(session.sessionExpiresAt),
        lastRefreshAt: iso(session.lastRefreshAt),
        refreshCount: session.refreshCount,
      },
    });
  });
}
