import { sealData } from 'iron-session';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BffError } from '../errors.ts';
import { toSealedPayload } from './sealed-payload.ts';
import { SessionCookieCodec } from './session-cookie.ts';
import type { SessionData } from './session-data.ts';
import { parseSetCookie, sessionCookieProblems } from './set-cookie.ts';
import {
  CookieJar,
  fakeJwt,
  makeSession,
  NEW_SECRET,
  OLD_SECRET,
  sessionApp,
  signedInJar,
} from './test-support.ts';

const MAIN = '__Host-bff_session';
const bytes = (text: string) => new TextEncoder().encode(text).length;
const cookieNames = (lines: string[]) => lines.map((line) => parseSetCookie(line).name);

function codecWith(options: Partial<ConstructorParameters<typeof SessionCookieCodec>[0]> = {}) {
  return new SessionCookieCodec({ passwords: { 1: OLD_SECRET }, ...options });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SessionCookieCodec writing and reading', () => {
  it('round-trips a session through one cookie', async () => {
    const client = sessionApp(codecWith());
    const session = makeSession();
    const jar = new CookieJar();
    const res = await client.write(jar, session);
    expect(res.status).toBe(204);
    const lines = jar.store(res);
    expect(cookieNames(lines)).toEqual([MAIN]);
    expect(jar.get(MAIN)).toMatch(/^1~Fe26\.2\*1\*/);

    const me = await client.me(jar);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: 'operator' });
    expect(client.seen.session).toStrictEqual(session);
  });

  it('round-trips a session without the optional fields, adding none', async () => {
    const client = sessionApp(codecWith());
    const { sid, refreshToken, scope, lastRefreshAt, sessionExpiresAt, ...minimal } = makeSession();
    const jar = await signedInJar(client, minimal);
    await client.me(jar);
    expect(client.seen.session).toStrictEqual(minimal);
  });

  it('sets exactly the required attributes', async () => {
    const client = sessionApp(codecWith());
    const lines = (await client.write(new CookieJar(), makeSession())).headers.getSetCookie();
    expect(lines).toHaveLength(1);
    const [line = ''] = lines;
    expect(line).toMatch(
      /^__Host-bff_session=1~[^;]+; Max-Age=28800; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(parseSetCookie(line).attributes).toStrictEqual({
      'max-age': '28800',
      path: '/',
      httponly: true,
      secure: true,
      samesite: 'Strict',
    });
    expect(sessionCookieProblems(line)).toEqual([]);
  });

  it('uses the configured max age, or the one given to write', async () => {
    const codec = codecWith({ maxAgeSeconds: 7200 });
    const client = sessionApp(codec);
    const [line = ''] = (await client.write(new CookieJar(), makeSession())).headers.getSetCookie();
    expect(parseSetCookie(line).attributes['max-age']).toBe('7200');

    const app = sessionApp(codec).app;
    app.post('/short', async (c) => {
      await codec.write(c, makeSession(), { maxAgeSeconds: 60 });
      return c.body(null, 204);
    });
    const [short = ''] = (await app.request('/short', { method: 'POST' })).headers.getSetCookie();
    expect(parseSetCookie(short).attributes['max-age']).toBe('60');
  });

  it('keeps a 6 KB access token in chunks of at most 4096 bytes and reads it back intact', async () => {
    const client = sessionApp(codecWith());
    const session = makeSession({ accessToken: fakeJwt(6144) });
    const jar = new CookieJar();
    const lines = jar.store(await client.write(jar, session));

    expect(cookieNames(lines)).toEqual([MAIN, `${MAIN}.1`, `${MAIN}.2`]);
    // Greedy: every chunk but the last is filled to the byte.
    expect(lines.map(bytes).slice(0, 2)).toEqual([4096, 4096]);
    expect(bytes(lines[2] ?? '')).toBeLessThan(4096);
    for (const line of lines) expect(sessionCookieProblems(line)).toEqual([]);
    expect(jar.get(MAIN)).toMatch(/^3~Fe26\.2\*1\*/);

    expect((await client.me(jar)).status).toBe(200);
    expect(client.seen.session?.accessToken).toBe(session.accessToken);
    expect(client.seen.session).toStrictEqual(session);
  });

  it('expires the chunks a later, smaller session no longer needs', async () => {
    const client = sessionApp(codecWith());
    const jar = await signedInJar(client, makeSession({ accessToken: fakeJwt(6144) }));
    expect(jar.names()).toEqual([MAIN, `${MAIN}.1`, `${MAIN}.2`]);

    const small = makeSession({ refreshCount: 1 });
    const lines = jar.store(await client.write(jar, small));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^__Host-bff_session=1~/);
    expect(lines.slice(1)).toEqual([
      '__Host-bff_session.1=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
      '__Host-bff_session.2=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
    ]);
    expect(jar.names()).toEqual([MAIN]);
    expect((await client.me(jar)).status).toBe(200);
    expect(client.seen.session).toStrictEqual(small);
  });

  it('expires chunks that an earlier write in the same response set', async () => {
    const client = sessionApp(codecWith());
    const small = makeSession({ refreshCount: 2 });
    const jar = new CookieJar();
    const lines = jar.store(await client.write(jar, makeSession({ accessToken: fakeJwt(6144) }), small));
    expect(cookieNames(lines)).toEqual([MAIN, `${MAIN}.1`, `${MAIN}.2`, MAIN, `${MAIN}.1`, `${MAIN}.2`]);
    expect(jar.names()).toEqual([MAIN]);
    await client.me(jar);
    expect(client.seen.session).toStrictEqual(small);
  });

  it('ignores chunks beyond the declared count, and the next write expires them', async () => {
    const client = sessionApp(codecWith());
    const big = await signedInJar(client, makeSession({ accessToken: fakeJwt(6144) }));
    const small = makeSession({ refreshCount: 3 });
    const jar = await signedInJar(client, small);
    // As after two racing responses: the small session's main cookie won, the big one's chunks stayed.
    jar.set(`${MAIN}.1`, big.get(`${MAIN}.1`) ?? '');
    jar.set(`${MAIN}.2`, big.get(`${MAIN}.2`) ?? '');

    expect((await client.me(jar)).status).toBe(200);
    expect(client.seen.session).toStrictEqual(small);
    const lines = jar.store(await client.write(jar, small));
    expect(cookieNames(lines)).toEqual([MAIN, `${MAIN}.1`, `${MAIN}.2`]);
    expect(jar.names()).toEqual([MAIN]);
  });

  it('clear expires the main cookie and every chunk the request carried', async () => {
    const client = sessionApp(codecWith());
    const jar = await signedInJar(client, makeSession({ accessToken: fakeJwt(6144) }));
    const lines = jar.store(await client.logout(jar));
    expect(lines).toEqual([
      '__Host-bff_session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
      '__Host-bff_session.1=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
      '__Host-bff_session.2=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
    ]);
    for (const line of lines) expect(sessionCookieProblems(line)).toEqual([]);
    expect(jar.names()).toEqual([]);

    const bare = (await client.logout('')).headers.getSetCookie();
    expect(bare).toEqual(['__Host-bff_session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict']);
  });

  it('refuses a session too large for maxChunks with server_error, setting no cookie', async () => {
    const token = fakeJwt(6144);
    const client = sessionApp(codecWith({ maxChunks: 2 }));
    const res = await client.write(new CookieJar(), makeSession({ accessToken: token }));
    expect(res.status).toBe(500);
    expect(res.headers.getSetCookie()).toEqual([]);
    const body = await res.json();
    expect(body).toEqual({
      error: 'server_error',
      message: expect.stringMatching(/^The session is too large/),
    });
    expect(JSON.stringify(body)).not.toContain(token.slice(0, 40));
    // Sealing alone is fine: only the cookies are limited.
    await expect(codecWith({ maxChunks: 2 }).seal(makeSession({ accessToken: token }))).resolves.toMatch(
      /^Fe26/,
    );
  });

  it('refuses to seal an invalid session, naming fields but not values', async () => {
    const codec = codecWith();
    const bad = { ...makeSession(), accessTokenExpiresAt: 'soon', extra: 'x' } as unknown as SessionData;
    const error: unknown = await codec.seal(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffError);
    expect(error).toMatchObject({
      code: 'server_error',
      status: 500,
      message: 'Refusing to seal an invalid session (accessTokenExpiresAt, (root)).',
    });
  });
});

describe('SessionCookieCodec expiry', () => {
  it('stops reading a seal once its max age has passed (injected clock, cached or not)', async () => {
    for (const unsealCache of [0, 1000]) {
      let now = 1_700_000_000_000;
      const client = sessionApp(codecWith({ maxAgeSeconds: 60, unsealCache, now: () => now }));
      const jar = await signedInJar(client, makeSession());
      now += 59_999;
      expect((await client.me(jar)).status).toBe(200);
      now += 1;
      expect((await client.me(jar)).status).toBe(401);
    }
  });

  it('reads Date.now() at call time by default', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    const client = sessionApp(codecWith({ unsealCache: 0 }));
    const jar = await signedInJar(client, makeSession());
    vi.setSystemTime(1_700_000_000_000 + 8 * 3600 * 1000 - 1);
    expect((await client.me(jar)).status).toBe(200);
    vi.setSystemTime(1_700_000_000_000 + 8 * 3600 * 1000);
    expect((await client.me(jar)).status).toBe(401);
  });
});

describe('SessionCookieCodec with bad cookies', () => {
  const codec = codecWith();
  const client = sessionApp(codec);
  const flip = (text: string, at: number) =>
    text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

  async function jars() {
    const big = await signedInJar(client, makeSession({ accessToken: fakeJwt(6144) }));
    const other = await signedInJar(
      client,
      makeSession({ accessToken: fakeJwt(6144, 'z'), bffSessionId: 'another-session' }),
    );
    const small = await signedInJar(client, makeSession());
    const get = (jar: CookieJar, name: string) => jar.get(name) ?? '';
    return { big, other, small, get };
  }

  type Case = [string, (j: Awaited<ReturnType<typeof jars>>) => string];
  const cases: Case[] = [
    [
      'one character changed in the main cookie',
      ({ small, get }) => `${MAIN}=${flip(get(small, MAIN), 900)}`,
    ],
    [
      'one character changed in a chunk',
      ({ big, get }) => {
        big.set(`${MAIN}.1`, flip(get(big, `${MAIN}.1`), 2000));
        return big.header();
      },
    ],
    ['truncated by one character', ({ small, get }) => `${MAIN}=${get(small, MAIN).slice(0, -1)}`],
    [
      'the last chunk truncated',
      ({ big, get }) => {
        big.set(`${MAIN}.2`, get(big, `${MAIN}.2`).slice(0, 100));
        return big.header();
      },
    ],
    [
      'a chunk missing',
      ({ big }) => {
        big.delete(`${MAIN}.2`);
        return big.header();
      },
    ],
    [
      "another session's chunk swapped in",
      ({ big, other, get }) => {
        big.set(`${MAIN}.1`, get(other, `${MAIN}.1`));
        return big.header();
      },
    ],
    [
      'chunks reordered',
      ({ big, get }) => {
        const one = get(big, `${MAIN}.1`);
        big.set(`${MAIN}.1`, get(big, `${MAIN}.2`));
        big.set(`${MAIN}.2`, one);
        return big.header();
      },
    ],
    ['a count that drops a chunk', ({ big }) => big.header().replace(`${MAIN}=3~`, `${MAIN}=2~`)],
    ['a count above maxChunks', ({ small, get }) => `${MAIN}=5~${get(small, MAIN).slice(2)}`],
    ['no count', ({ small, get }) => `${MAIN}=${get(small, MAIN).slice(2)}`],
    ['garbage', () => `${MAIN}=garbage`],
    ['garbage after a count', () => `${MAIN}=1~garbage`],
    [
      'an iron-shaped forgery',
      () => `${MAIN}=1~Fe26.2*1*${'a'.repeat(64)}*AAAA*BBBB**${'b'.repeat(64)}*CCCC~2`,
    ],
    [
      'an unknown key id',
      ({ small, get }) => `${MAIN}=${get(small, MAIN).replace('Fe26.2*1*', 'Fe26.2*9*')}`,
    ],
    [
      'a key id that is an inherited property',
      ({ small, get }) => `${MAIN}=${get(small, MAIN).replace('Fe26.2*1*', 'Fe26.2*constructor*')}`,
    ],
    ['an empty value', () => `${MAIN}=`],
    ['an empty first chunk', () => `${MAIN}=1~`],
    ['percent-encoded junk', () => `${MAIN}=1~%E0%A4%A`],
    ['a single cookie over 4096 bytes', () => `${MAIN}=1~${'A'.repeat(5000)}`],
    ['a Cookie header too large', ({ small }) => `${small.header()}; other=${'x'.repeat(5 * 4096)}`],
    ['the session cookie without the __Host- prefix', ({ small, get }) => `bff_session=${get(small, MAIN)}`],
  ];

  it.each(cases)('%s reads as no session and answers 401', async (_, cookie) => {
    const header = cookie(await jars());
    const res = await client.me(header);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthenticated', message: 'Sign in first.' });
    expect(client.seen.session).toBeUndefined();
  });

  it('still reads the untouched cookies (the cases above are not failing for another reason)', async () => {
    const { big, small } = await jars();
    expect((await client.me(big)).status).toBe(200);
    expect((await client.me(small)).status).toBe(200);
  });

  it('unseal answers undefined for non-seals instead of throwing', async () => {
    for (const bad of [
      '',
      'x',
      'Fe26.1*1*a*b*c**d*e~2',
      `Fe26.2*1*${'z'.repeat(70000)}`,
      42 as unknown as string,
    ]) {
      await expect(codec.unseal(bad)).resolves.toBeUndefined();
    }
  });
});

describe('SessionCookieCodec key rotation', () => {
  it('reads old seals with the old key, seals anew with the highest id, and drops removed keys', async () => {
    const session = makeSession();
    const oldOnly = sessionApp(codecWith({ passwords: { 1: OLD_SECRET } }));
    const both = sessionApp(codecWith({ passwords: { 1: OLD_SECRET, 2: NEW_SECRET } }));
    const newOnly = sessionApp(codecWith({ passwords: { 2: NEW_SECRET } }));

    const oldJar = await signedInJar(oldOnly, session);
    expect((await both.me(oldJar)).status).toBe(200);
    expect(both.seen.session).toStrictEqual(session);

    const rewritten = await signedInJar(both, session);
    expect(rewritten.get(MAIN)).toMatch(/^1~Fe26\.2\*2\*/);
    expect((await newOnly.me(rewritten)).status).toBe(200);
    expect(newOnly.seen.session).toStrictEqual(session);

    expect((await newOnly.me(oldJar)).status).toBe(401);
    expect((await oldOnly.me(rewritten)).status).toBe(401);
  });

  it('does not open a seal made with a different secret under the same id', async () => {
    const jar = await signedInJar(sessionApp(codecWith({ passwords: { 1: OLD_SECRET } })), makeSession());
    const impostor = sessionApp(codecWith({ passwords: { 1: NEW_SECRET } }));
    expect((await impostor.me(jar)).status).toBe(401);
  });
});

describe('SessionCookieCodec schema check', () => {
  const codec = codecWith();
  const client = sessionApp(codec);
  const sealWithKey1 = (data: unknown) => sealData(data, { password: { 1: OLD_SECRET }, ttl: 0 });
  const farFuture = 4_000_000_000_000;

  it('reads a correctly shaped payload sealed outside the codec (the control for the cases below)', async () => {
    const session = makeSession();
    expect(
      (await client.me(`${MAIN}=1~${await sealWithKey1(toSealedPayload(session, farFuture))}`)).status,
    ).toBe(200);
    expect(client.seen.session).toStrictEqual(session);
  });

  it.each<[string, unknown]>([
    ['{}', {}],
    ['the session as an object', makeSession()],
    [
      'a wrong field type',
      toSealedPayload({ ...makeSession(), sub: 42 } as unknown as SessionData, farFuture),
    ],
    [
      'a required field missing',
      toSealedPayload({ ...makeSession(), accessToken: null } as unknown as SessionData, farFuture),
    ],
    ['an extra element', [...toSealedPayload(makeSession(), farFuture), 'idToken']],
    ['another format version', [2, ...toSealedPayload(makeSession(), farFuture).slice(1)]],
    ['an expired seal', toSealedPayload(makeSession(), Date.now() - 1)],
    ['a string', 'operator'],
  ])('a seal of %s reads as no session', async (_, data) => {
    const res = await client.me(`${MAIN}=1~${await sealWithKey1(data)}`);
    expect(res.status).toBe(401);
    expect(client.seen.session).toBeUndefined();
  });
});

describe('SessionCookieCodec configuration', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['no passwords', { passwords: {} }, 'at least one'],
    ['a zero id', { passwords: { 0: OLD_SECRET } }, 'password id "0" must be a positive integer'],
    [
      'a non-numeric id',
      { passwords: { current: OLD_SECRET } },
      'password id "current" must be a positive integer',
    ],
    ['a leading zero', { passwords: { '01': OLD_SECRET } }, 'password id "01" must be a positive integer'],
    [
      'a short secret',
      { passwords: { 1: 'short-secret' } },
      'password 1 must be a string of at least 32 characters',
    ],
    ['a dotted name', { passwords: { 1: OLD_SECRET }, name: 'bff.session' }, 'may use only letters'],
    [
      'zero chunks',
      { passwords: { 1: OLD_SECRET }, maxChunks: 0 },
      'maxChunks must be an integer from 1 to 9',
    ],
    [
      'ten chunks',
      { passwords: { 1: OLD_SECRET }, maxChunks: 10 },
      'maxChunks must be an integer from 1 to 9',
    ],
    ['a max age over 400 days', { passwords: { 1: OLD_SECRET }, maxAgeSeconds: 34_560_001 }, 'maxAgeSeconds'],
    ['a fractional max age', { passwords: { 1: OLD_SECRET }, maxAgeSeconds: 1.5 }, 'maxAgeSeconds'],
    ['a negative cache size', { passwords: { 1: OLD_SECRET }, unsealCache: -1 }, 'unsealCache'],
  ])('refuses %s with a clear message', (_, options, message) => {
    expect(() => new SessionCookieCodec(options as never)).toThrow(message);
  });

  it('never shows a secret in a configuration error', () => {
    const secret = 'short-secret-value';
    expect(() => new SessionCookieCodec({ passwords: { 1: secret } })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });

  it('honours a custom cookie name', async () => {
    const client = sessionApp(codecWith({ name: 'ops_session' }));
    const jar = await signedInJar(client, makeSession());
    expect(jar.names()).toEqual(['__Host-ops_session']);
    expect((await client.me(jar)).status).toBe(200);
  });
});

describe('cookie size for the platform tokens', () => {
  it('stays within the 2 KB budget for a ~900-byte RS256 access token and a 43-character refresh token', async () => {
    const session = makeSession({
      bffSessionId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      sub: 'usr-operator-0001',
      name: 'Olivia Operator',
      sid: 'GybhfBeBbxqPeMAkFF4QeI4ttXnBgksfoVOBunzxXTE',
      accessToken: fakeJwt(900),
      refreshToken: 'Zq3x8Kc0VbN2mL5pR7tY1uI4oP6aS9dF3gH8jK0lQwE',
      scope: 'openid profile offline_access devices:read devices:command jobs:run',
      refreshCount: 12,
    });
    expect(session.accessToken).toHaveLength(900);
    expect(session.refreshToken).toHaveLength(43);
    const [line = '', ...more] = (
      await sessionApp(codecWith()).write(new CookieJar(), session)
    ).headers.getSetCookie();
    expect(more).toEqual([]);
    const nameValue = line.slice(0, line.indexOf(';'));
    console.log(`session cookie: ${bytes(nameValue)} bytes name=value, ${bytes(line)} bytes Set-Cookie line`);
    expect(bytes(nameValue)).toBeLessThanOrEqual(2048);
    // Deterministic for these lengths: iron pads to 16-byte blocks and salts and MACs have fixed sizes.
    expect(bytes(nameValue)).toBe(1873);
  });
});
