import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBff } from './app.ts';
import { createAuditLog } from './audit.ts';
import {
  CookieJarClient,
  csrfHeaders,
  signInThroughBff,
  startTestStack,
  type TestStack,
} from './test-support.ts';

/**
 * Bad input measured against the running BFF: each must get a clear 4xx (or the sign-in error
 * redirect), never a 500, and unauthenticated traffic must not flood the audit log.
 */

let stack: TestStack;
const auditLines: Record<string, unknown>[] = [];
let auditClock = Date.UTC(2030, 0, 1);
let sweepAudit = () => {};
const audit = createAuditLog((line) => auditLines.push(JSON.parse(line)), {
  now: () => auditClock,
  intervalMs: 60_000,
  startTimer: (sweep) => {
    sweepAudit = sweep;
    return () => {
      sweepAudit = () => {};
    };
  },
});

beforeAll(async () => {
  stack = await startTestStack({ deps: { audit } });
});
afterAll(() => stack.dispose());

const loginCookieName = (state: string) =>
  `__Host-bff_login_${createHash('sha256').update(state).digest('base64url').slice(0, 16)}`;

describe('GET /bff/callback with a crafted login-transaction cookie', () => {
  const state = 'c'.repeat(43);
  it.each([
    ['a wrong mac prefix', 'Fe27.2*1*a*b*c**e*f~2'],
    ['a non-numeric expiry', 'Fe26.2*1*c2FsdA*aXY*ZGF0YQ*later*abcd*bWFj~2'],
    ['key id constructor', 'Fe26.2*constructor*c2FsdA*aXY*ZGF0YQ**abcd*bWFj~2'],
    ['key id __proto__', 'Fe26.2*__proto__*c2FsdA*aXY*ZGF0YQ**abcd*bWFj~2'],
  ])('redirects with signin_error=sign_in_expired for %s, not 500', async (_label, value) => {
    const response = await fetch(`${stack.appUrl}/bff/callback?state=${state}&code=x`, {
      headers: { cookie: `${loginCookieName(state)}=${value}` },
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/?signin_error=sign_in_expired');
  });
});

describe('GET /bff/login with many pending sign-ins and a foreign cookie name', () => {
  const ours = (i: number) => `${loginCookieName(`pending-${i}-${'p'.repeat(40)}`)}=v`;

  it.each(['(', ':', '/', '?', '{', '[', '@', ','])(
    'starts the sign-in despite a name with %s',
    async (char) => {
      for (const count of [3, 4, 6]) {
        const pending = Array.from({ length: count }, (_, i) => ours(i));
        const response = await fetch(`${stack.appUrl}/bff/login?returnTo=/`, {
          headers: { cookie: [...pending, `__Host-bff_login_x${char}y=1`].join('; ') },
          redirect: 'manual',
        });
        expect(response.status).toBe(302);
        expect(response.headers.get('location')).toMatch(/^http/);
      }
    },
  );
});

describe('POST /bff/backchannel-logout body handling', () => {
  const url = () => `${stack.appUrl}/bff/backchannel-logout`;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  const errorOf = async (response: Response) => ({
    status: response.status,
    error: ((await response.json()) as { error?: string }).error,
  });

  /** `total` bytes of form-like filler in 64 KB chunks, counting how many were pulled. */
  function filler(total: number) {
    const chunk = new TextEncoder().encode('a'.repeat(64 * 1024));
    const pulled = { bytes: 0 };
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('logout_token='));
      },
      pull(controller) {
        if (pulled.bytes >= total) return controller.close();
        pulled.bytes += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return { stream, pulled };
  }

  it('answers 413 payload_too_large for a declared body over the limit', async () => {
    const response = await fetch(url(), {
      method: 'POST',
      headers: form,
      body: `logout_token=${'a'.repeat(70 * 1024)}`,
    });
    expect(await errorOf(response)).toEqual({ status: 413, error: 'payload_too_large' });
  });

  it('answers 413 payload_too_large for a streamed body without content-length', async () => {
    const { stream } = filler(8 * 1024 * 1024);
    const response = await fetch(url(), {
      method: 'POST',
      headers: form,
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(await errorOf(response)).toEqual({ status: 413, error: 'payload_too_large' });
  });

  it('stops reading a streamed body soon after the limit', async () => {
    const app = createBff(stack.config, { cookieSecrets: stack.cookieSecrets, audit });
    const { stream, pulled } = filler(64 * 1024 * 1024);
    const response = await app.request('/bff/backchannel-logout', {
      method: 'POST',
      headers: form,
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(await errorOf(response)).toEqual({ status: 413, error: 'payload_too_large' });
    expect(pulled.bytes).toBeLessThan(1024 * 1024);
  });

  it.each([
    ['a streamed body', {}],
    ['a body of declared length', { 'content-length': '40000' }],
  ])('answers 400 bad_request for %s that breaks off mid-way', async (_label, headers) => {
    const app = createBff(stack.config, { cookieSecrets: stack.cookieSecrets, audit });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('logout_token=abc'));
      },
      pull(controller) {
        controller.error(new Error('connection reset by peer'));
      },
    });
    const response = await app.request('/bff/backchannel-logout', {
      method: 'POST',
      headers: { ...form, ...headers },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(await errorOf(response)).toEqual({ status: 400, error: 'bad_request' });
  });

  it('reads a body just under the limit and judges the token (400, not 413)', async () => {
    const response = await fetch(url(), {
      method: 'POST',
      headers: form,
      body: `logout_token=${'a'.repeat(60 * 1024)}`,
    });
    expect(await errorOf(response)).toEqual({ status: 400, error: 'bad_request' });
  });

  it.each<[string, BodyInit, Record<string, string>?]>([
    ['invalid UTF-8', new Uint8Array([0x6c, 0x6f, 0xff, 0xfe, 0x3d, 0xc3])],
    ['broken percent-encoding', 'logout_token=%E0%A4%A&%ZZ=%'],
    ['only separators', '&&==&='],
    ['an empty token', 'logout_token='],
    ['two tokens', 'logout_token=a.b.c&logout_token=a.b.c'],
    ['a NUL byte', 'logout_token=\u0000'],
    ['a JSON body with a form content type', '{"logout_token":"a.b.c"}'],
    [
      'a form body with a charset',
      'logout_token=x',
      { 'content-type': 'application/x-www-form-urlencoded; charset=latin1' },
    ],
    ['no content type', 'logout_token=x', {}],
    ['a multipart body', '--b\r\n\r\n--b--', { 'content-type': 'multipart/form-data; boundary=b' }],
  ])('answers 400 bad_request for a malformed body: %s', async (_label, body, headers = form) => {
    const response = await fetch(url(), { method: 'POST', headers, body });
    expect(await errorOf(response)).toEqual({ status: 400, error: 'bad_request' });
  });
});

describe('audit flooding by unauthenticated traffic', () => {
  /** Where this test's lines start: earlier tests' windows are closed first. */
  let from = 0;
  beforeEach(() => {
    audit.flush();
    from = auditLines.length;
  });
  const linesOf = (event: string, extra: Record<string, unknown> = {}) =>
    auditLines
      .slice(from)
      .filter(
        (line) => line.event === event && Object.entries(extra).every(([key, value]) => line[key] === value),
      );
  const closeInterval = () => {
    auditClock += 60_000;
    sweepAudit();
  };

  it('turns 1000 callbacks with a bogus state into one line now and one summary later', async () => {
    const callback = `${stack.appUrl}/bff/callback?state=${'b'.repeat(43)}&code=x`;
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => fetch(callback, { redirect: 'manual' })),
      );
      for (const answer of answers) expect(answer.status).toBe(303);
    }
    expect(linesOf('sign_in_failed', { reason: 'sign_in_expired' })).toHaveLength(1);
    closeInterval();
    const [first, summary, ...more] = linesOf('sign_in_failed', { reason: 'sign_in_expired' });
    expect(more).toEqual([]);
    expect(first).not.toHaveProperty('repeated');
    expect(summary).toMatchObject({ repeated: 999, intervalSeconds: 60 });
  });

  it('turns a replayed ended cookie into one session_ended line now and one summary later', async () => {
    const browser = new CookieJarClient();
    await signInThroughBff(stack, browser, 'viewer');
    const cookie = browser.cookieHeader(new URL(stack.appUrl));
    const logout = await browser.fetch(`${stack.appUrl}/bff/logout`, {
      method: 'POST',
      headers: csrfHeaders,
    });
    expect(logout.status).toBe(200);

    for (let i = 0; i < 200; i++) {
      const response = await fetch(`${stack.appUrl}/bff/session`, { headers: { ...csrfHeaders, cookie } });
      expect(response.status).toBe(401);
    }
    const ended = () => linesOf('session_ended', { reason: 'ended_elsewhere' });
    expect(ended()).toHaveLength(1);
    closeInterval();
    expect(ended()).toEqual([
      expect.not.objectContaining({ repeated: expect.anything() }),
      expect.objectContaining({ bffSessionId: ended()[0]?.bffSessionId, repeated: 199 }),
    ]);
  });
});
