import { Hono } from 'hono';
import { requireSession, type SessionLoader } from '../tokens/index.ts';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** `GET /bff/session`: who is signed in and until when; never a token. */
export function sessionRoute(load: SessionLoader) {
  return new Hono().get('/', async (c) => {
    const session = requireSession(await load(c));
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
