import { Hono } from 'hono';
import { BffError, errorResponse } from '../errors.ts';
import type { SessionCookieCodec } from './session-cookie.ts';
import type { SessionData } from './session-data.ts';
import { parseSetCookie } from './set-cookie.ts';

export const OLD_SECRET = 'old-secret-for-tests-0123456789abcdef';
export const NEW_SECRET = 'new-secret-for-tests-fedcba9876543210';

/** A base64url JWT-shaped string of exactly `length` characters (content is irrelevant to sealing). */
export function fakeJwt(length: number, seed = 'a'): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const body = Array.from({ length: length - 2 }, (_, i) => alphabet[(i * 7 + seed.charCodeAt(0)) % 64]).join(
    '',
  );
  const third = Math.floor(body.length / 3);
  return `${body.slice(0, third)}.${body.slice(third, 2 * third)}.${body.slice(2 * third)}`;
}

export function makeSession(overrides: Partial<SessionData> = {}): SessionData {
  return {
    v: 1,
    bffSessionId: '3f1c2a9e-7b4d-4e2a-9c1f-5d6e7f8a9b0c',
    sub: 'operator',
    name: 'Olga Operator',
    roles: ['operator'],
    sid: 'idp-session-4Qm1v9',
    accessToken: fakeJwt(900),
    accessTokenExpiresAt: 1_700_000_900_000,
    refreshToken: 'Rt0123456789abcdefghijklmnopqrstuvwxyzABCDE',
    scope: 'openid profile offline_access devices:read',
    startedAt: 1_700_000_000_000,
    lastRefreshAt: 1_700_000_000_000,
    refreshCount: 0,
    sessionExpiresAt: 1_700_007_200_000,
    ...overrides,
  };
}

/** Keeps cookies the way a browser would for one host: later lines win, `Max-Age=0` deletes. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): string[] {
    const lines = response.headers.getSetCookie();
    for (const line of lines) {
      const { name, value, attributes } = parseSetCookie(line);
      if (attributes['max-age'] === '0') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return lines;
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  set(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  delete(name: string): void {
    this.#cookies.delete(name);
  }

  names(): string[] {
    return [...this.#cookies.keys()];
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * A tiny app around the codec: `GET /me` (401 without a session), `POST /write` (body: sessions to
 * write in order), `POST /logout`. The last read session is kept in `seen` rather than returned, so
 * no token ever goes into a response body, not even in tests.
 */
export function sessionApp(codec: SessionCookieCodec) {
  const seen: { session: SessionData | undefined } = { session: undefined };
  const app = new Hono();
  app.onError((error, c) =>
    error instanceof BffError ? errorResponse(c, error) : c.json({ error: 'crash' }, 500),
  );
  app.get('/me', async (c) => {
    seen.session = await codec.read(c);
    if (!seen.session) return errorResponse(c, new BffError('unauthenticated', 401, 'Sign in first.'));
    return c.json({ sub: seen.session.sub });
  });
  app.post('/write', async (c) => {
    for (const session of await c.req.json<SessionData[]>()) await codec.write(c, session);
    return c.body(null, 204);
  });
  app.post('/logout', (c) => {
    codec.clear(c);
    return c.body(null, 204);
  });

  const send = (method: string, path: string, jar: CookieJar | string, body?: unknown) => {
    const cookie = typeof jar === 'string' ? jar : jar.header();
    const headers: Record<string, string> = cookie ? { cookie } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    return app.request(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
  return {
    app,
    seen,
    me: (jar: CookieJar | string) => send('GET', '/me', jar),
    write: (jar: CookieJar | string, ...sessions: SessionData[]) => send('POST', '/write', jar, sessions),
    logout: (jar: CookieJar | string) => send('POST', '/logout', jar),
  };
}

/** Writes the sessions with a fresh jar and returns the jar holding the resulting cookies. */
export async function signedInJar(
  client: ReturnType<typeof sessionApp>,
  session: SessionData,
): Promise<CookieJar> {
  const jar = new CookieJar();
  const res = await client.write(jar, session);
  if (res.status !== 204) throw new Error(`write answered ${res.status}`);
  jar.store(res);
  return jar;
}
