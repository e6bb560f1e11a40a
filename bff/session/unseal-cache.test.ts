import { unsealData } from 'iron-session';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionCookieCodec } from './session-cookie.ts';
import { makeSession, OLD_SECRET } from './test-support.ts';

// Count real unseals (two PBKDF2 runs each) while keeping iron-session's behaviour.
vi.mock('iron-session', async (importOriginal) => {
  const actual = await importOriginal<typeof import('iron-session')>();
  return { ...actual, unsealData: vi.fn(actual.unsealData) };
});
const unsealSpy = vi.mocked(unsealData);

beforeEach(() => {
  unsealSpy.mockClear();
});

function codecWith(unsealCache?: number, now?: () => number) {
  return new SessionCookieCodec({ passwords: { 1: OLD_SECRET }, unsealCache, now });
}

/** A seal the codec has not seen: made by another codec with the same key. */
const foreignSeal = (session = makeSession()) => codecWith(0).seal(session);

describe('unseal cache', () => {
  it('unseals the same string once and serves the repeat from the cache', async () => {
    const codec = codecWith();
    const sealed = await foreignSeal();
    const first = await codec.unseal(sealed);
    const second = await codec.unseal(sealed);
    expect(unsealSpy).toHaveBeenCalledTimes(1);
    expect(second).toBe(first);
    expect(second).toStrictEqual(makeSession());
  });

  it('does not serve a different string from the cache, even one holding the same session', async () => {
    const codec = codecWith();
    const a = await foreignSeal();
    const b = await foreignSeal();
    expect(a).not.toBe(b);
    await codec.unseal(a);
    await codec.unseal(b);
    expect(unsealSpy).toHaveBeenCalledTimes(2);
  });

  it('does not cache what failed to verify', async () => {
    const codec = codecWith();
    const sealed = await foreignSeal();
    const tampered = sealed.replace(
      /\*([A-Za-z0-9_-])([A-Za-z0-9_-]{40,})~2$/,
      (_, c: string, rest: string) => {
        return `*${c === 'A' ? 'B' : 'A'}${rest}~2`;
      },
    );
    expect(tampered).not.toBe(sealed);
    expect(await codec.unseal(tampered)).toBeUndefined();
    expect(await codec.unseal(tampered)).toBeUndefined();
    expect(unsealSpy).toHaveBeenCalledTimes(2);
  });

  it('knows the seals it made itself without unsealing them', async () => {
    const codec = codecWith();
    const sealed = await codec.seal(makeSession());
    expect(await codec.unseal(sealed)).toStrictEqual(makeSession());
    expect(unsealSpy).toHaveBeenCalledTimes(0);
  });

  it('unseals every time when turned off', async () => {
    const codec = codecWith(0);
    const sealed = await codec.seal(makeSession());
    await codec.unseal(sealed);
    await codec.unseal(sealed);
    expect(unsealSpy).toHaveBeenCalledTimes(2);
  });

  it('forgets the least recently used entry beyond its size', async () => {
    const codec = codecWith(2);
    const [a, b, c] = [await foreignSeal(), await foreignSeal(), await foreignSeal()];
    await codec.unseal(a);
    await codec.unseal(b);
    await codec.unseal(a); // a is now the most recent
    await codec.unseal(c); // evicts b
    expect(unsealSpy).toHaveBeenCalledTimes(3);
    await codec.unseal(a);
    expect(unsealSpy).toHaveBeenCalledTimes(3);
    await codec.unseal(b);
    expect(unsealSpy).toHaveBeenCalledTimes(4);
  });

  it('hands out frozen sessions, whether cached or not', async () => {
    for (const size of [0, 1000]) {
      const session = await codecWith(size).unseal(await foreignSeal());
      expect(Object.isFrozen(session)).toBe(true);
      expect(Object.isFrozen(session?.roles)).toBe(true);
      expect(() => session?.roles.push('admin')).toThrow(TypeError);
    }
  });

  it("never freezes the caller's own session", async () => {
    const session = makeSession();
    await codecWith().seal(session);
    expect(Object.isFrozen(session)).toBe(false);
    expect(Object.isFrozen(session.roles)).toBe(false);
  });

  it('does not serve a cached session past its seal expiry', async () => {
    let now = 1_700_000_000_000;
    const codec = new SessionCookieCodec({ passwords: { 1: OLD_SECRET }, maxAgeSeconds: 60, now: () => now });
    const sealed = await codec.seal(makeSession());
    expect(await codec.unseal(sealed)).toBeDefined();
    now += 60_000;
    expect(await codec.unseal(sealed)).toBeUndefined();
    expect(unsealSpy).toHaveBeenCalledTimes(0);
  });
});

describe('the Cookie header memo', () => {
  async function readWith(codec: SessionCookieCodec, cookieHeader: string) {
    const { Hono } = await import('hono');
    let session: unknown;
    await new Hono()
      .get('*', async (c) => {
        session = await codec.read(c);
        return c.body(null, 204);
      })
      .request('/', { headers: { cookie: cookieHeader } });
    return session;
  }

  async function cookieHeaderFor(codec: SessionCookieCodec) {
    const { Hono } = await import('hono');
    const response = await new Hono()
      .get('*', async (c) => {
        await codec.write(c, makeSession());
        return c.body(null, 204);
      })
      .request('/');
    return `${response.headers.getSetCookie()[0]?.split(';')[0]}; theme=dark`;
  }

  it('serves a repeated Cookie header without parsing it again, and still honours the seal expiry', async () => {
    let now = Date.parse('2026-03-02T06:00:00Z');
    const writer = codecWith(0, () => now);
    const header = await cookieHeaderFor(writer);
    const codec = new SessionCookieCodec({ passwords: { 1: OLD_SECRET }, maxAgeSeconds: 60, now: () => now });
    expect(await readWith(codec, header)).toStrictEqual(makeSession());
    expect(await readWith(codec, header)).toStrictEqual(makeSession());
    expect(unsealSpy).toHaveBeenCalledTimes(1);
    now += 8 * 60 * 60 * 1000 + 1; // past the seal's own lifetime (the writer's 8 h default)
    expect(await readWith(codec, header)).toBeUndefined();
  });
});
