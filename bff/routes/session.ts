import { Hono } from 'hono';
import { BffError, errorResponse } from '../errors.ts';
import type { SessionLoader } from '../session-loader.ts';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** `GET /bff/session`: who is signed in and until when; never a token. */
export function sessionRoute(load: SessionLoader) {
  return new Hono().get('/', async (c) => {
    const loaded = await load(c);
    if (loaded.status === 'none')
      return errorResponse(c, new BffError('unauthenticated', 401, 'Not signed in'));
    if (loaded.status === 'ended') {
      return errorResponse(c, new BffError('session_expired', 401, 'The session has ended; sign in again'));
    }
    const { session } = loaded;
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
