import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_REDIRECT_ATTEMPTS } from './http/index.ts';
import {
  authorizeAtPlatform,
  CookieJarClient,
  csrfHeaders,
  signInThroughBff,
  startLogin,
  startTestStack,
  type TestStack,
  unsealSessionCookie,
} from './test-support.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.dispose());

function setCookieLines(response: Response, prefix: string): string[] {
  return response.headers.getSetCookie().filter((line) => line.startsWith(prefix));
}

describe('sign-in through the BFF', () => {
  it('signs in through the platform login form, lands on returnTo and sets the session cookie exactly', async () => {
    const browser = new CookieJarClient();
    const login = await browser.fetch(
      `${stack.appUrl}/bff/login?returnTo=${encodeURIComponent('/devices?site=a')}`,
    );
    expect(login.status).toBe(302);
    const authorization = new URL(login.headers.get('location') ?? '');
    expect(authorization.origin).toBe(stack.platform.issuer);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('state')?.length).toBeGreaterThanOrEqual(43);
    expect(authorization.searchParams.get('nonce')?.length).toBeGreaterThanOrEqual(43);
    expect(authorization.searchParams.get('redirect_uri')).toBe(`${stack.appUrl}/bff/callback`);

    const [transactionCookie, ...others] = setCookieLines(login, '__Host-bff_login_');
    expect(others).toHaveLength(0);
    expect(transactionCookie).toMatch(/; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(transactionCookie).not.toMatch(/domain=/i);

    const { landedOn, callbackResponse } = await signInThroughBff(
      stack,
      browser,
      'operator',
      '/devices?site=a',
    );
    expect(callbackResponse.status).toBe(303);
    expect(landedOn).toBe('/devices?site=a');
    const [sessionCookie] = setCookieLines(callbackResponse, '__Host-bff_session=');
    expect(sessionCookie).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    expect(sessionCookie).toMatch(/; Max-Age=\d+;/);
    expect(sessionCookie).not.toMatch(/domain=/i);
    expect(Buffer.byteLength(sessionCookie ?? '')).toBeLessThanOrEqual(4096);
    // The transaction cookie is used up.
    expect(setCookieLines(callbackResponse, '__Host-bff_login_')[0]).toMatch(/Max-Age=0/);

    const session = await browser.fetch(`${stack.appUrl}/bff/session`, { headers: csrfHeaders });
    expect(session.status).toBe(200);
    const body = await session.json();
    expect(body).toEqual({
      authenticated: true,
      user: { sub: 'usr-operator-0001', name: 'Olivia Operator', roles: ['operator'] },
      accessTokenExpiresAt: expect.any(String),
      session: { startedAt: expect.any(String), expiresAt: null, lastRefreshAt: null, refreshCount: 0 },
    });
    const expiresIn = Date.parse(body.accessTokenExpiresAt) - Date.parse(body.session.startedAt);
    expect(expiresIn).toBeGreaterThan(890_000);
    expect(expiresIn).toBeLessThanOrEqual(900_000);
    expect(stack.audit).toContainEqual(
      expect.objectContaining({ event: 'sign_in', sub: 'usr-operator-0001' }),
    );
  });

  it('never puts a token in a response body or a URL the browser sees', async () => {
    const browser = new CookieJarClient();
    const { callbackResponse, landedOn } = await signInThroughBff(stack, browser, 'viewer', '/');
    const session = await unsealSessionCookie(stack, browser);
    const secrets = [session.accessToken, session.refreshToken ?? 'no-refresh-token'];
    const bodies = [
      await callbackResponse.text(),
      await (await browser.fetch(`${stack.appUrl}/bff/session`, { headers: csrfHeaders })).text(),
      await (
        await browser.fetch(`${stack.appUrl}/bff/logout`, { method: 'POST', headers: csrfHeaders })
      ).text(),
      landedOn,
    ];
    for (const body of bodies) for (const secret of secrets) expect(body).not.toContain(secret);
    for (const line of stack.audit)
      for (const secret of secrets) expect(JSON.stringify(line)).not.toContain(secret);
  });

  it('lets two tabs sign in at once without their transactions colliding', async () => {
    const browser = new CookieJarClient();
    const first = await startLogin(stack, browser, 'returnTo=/first');
    const second = await startLogin(stack, browser, 'returnTo=/second');
    const secondCallback = await authorizeAtPlatform(stack, browser, second, 'operator');
    // The first tab reuses the SSO session the second one created.
    const firstCallback = await authorizeAtPlatform(stack, browser, first, 'operator');
    expect((await browser.fetch(secondCallback)).headers.get('location')).toBe('/second');
    expect((await browser.fetch(firstCallback)).headers.get('location')).toBe('/first');
  });

  it('answers 401 unauthenticated without a session', async () => {
    const response = await new CookieJarClient().fetch(`${stack.appUrl}/bff/session`, {
      headers: csrfHeaders,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'unauthenticated' });
  });

  it('passes prompt=none through and returns login_required to the route when the IdP needs the user', async () => {
    const browser = new CookieJarClient();
    const login = await browser.fetch(`${stack.appUrl}/bff/login?returnTo=/alerts&prompt=none`);
    const authorization = new URL(login.headers.get('location') ?? '');
    expect(authorization.searchParams.get('prompt')).toBe('none');
    const { location } = await browser.follow(authorization.href, stack.appUrl);
    const back = await browser.fetch(location);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/alerts?signin_error=login_required');
    expect(stack.audit).toContainEqual(
      expect.objectContaining({ event: 'sign_in_failed', reason: 'login_required', prompt: 'none' }),
    );
  });
});

describe('login request checks', () => {
  it.each(OPEN_REDIRECT_ATTEMPTS.map((attempt) => [attempt]))(
    'rejects returnTo=%j with 400',
    async (attempt) => {
      const response = await new CookieJarClient().fetch(
        `${stack.appUrl}/bff/login?returnTo=${encodeURIComponent(attempt)}`,
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect((await response.json()).error).toBe('bad_request');
    },
  );

  it('rejects an unknown prompt value', async () => {
    const response = await new CookieJarClient().fetch(`${stack.appUrl}/bff/login?prompt=consent`);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('bad_request');
  });
});

describe('callback abuse', () => {
  const startLoginAt = async (browser: CookieJarClient, returnTo = '/here') =>
    new URL(await startLogin(stack, browser, `returnTo=${returnTo}`));

  const callback = (params: Record<string, string>) =>
    `${stack.appUrl}/bff/callback?${new URLSearchParams(params).toString()}`;

  it.each([
    ['missing state', {}],
    ['unknown state', { state: 'x'.repeat(43), code: 'abc', iss: 'http://127.0.0.1:1' }],
  ])('redirects %s to the app with signin_error=sign_in_expired', async (_label, params) => {
    const browser = new CookieJarClient();
    await startLoginAt(browser);
    const response = await browser.fetch(callback(params));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/?signin_error=sign_in_expired');
  });

  it('refuses a missing code, a wrong iss and an IdP error with a reason, at the returnTo route', async () => {
    for (const [params, reason] of [
      [(state: string) => ({ state, iss: stack.platform.issuer }), 'invalid_response'],
      [(state: string) => ({ state, code: 'abc', iss: 'https://evil.example' }), 'invalid_response'],
      [(state: string) => ({ state, error: 'access_denied', iss: stack.platform.issuer }), 'access_denied'],
      [(state: string) => ({ state, code: 'not-a-real-code', iss: stack.platform.issuer }), 'sign_in_failed'],
    ] as const) {
      const browser = new CookieJarClient();
      const authorization = await startLoginAt(browser);
      const state = authorization.searchParams.get('state') ?? '';
      const response = await browser.fetch(callback(params(state)));
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`/here?signin_error=${reason}`);
      expect(response.headers.getSetCookie().some((l) => l.startsWith('__Host-bff_session='))).toBe(false);
    }
  });

  it('does not accept a replayed callback', async () => {
    const browser = new CookieJarClient();
    const callbackUrl = await authorizeAtPlatform(
      stack,
      browser,
      await startLogin(stack, browser, 'returnTo=/once'),
      'viewer',
    );
    expect((await browser.fetch(callbackUrl)).headers.get('location')).toBe('/once');
    const replay = await browser.fetch(callbackUrl);
    expect(replay.headers.get('location')).toBe('/?signin_error=sign_in_expired');
    // An attacker's browser (no transaction cookie) gets nowhere either.
    expect((await new CookieJarClient().fetch(callbackUrl)).headers.get('location')).toBe(
      '/?signin_error=sign_in_expired',
    );
  });
});

describe('CSRF and headers', () => {
  it('requires X-CSRF: 1 on /bff/* and /api/* and rejects a foreign Origin on unsafe methods', async () => {
    const browser = new CookieJarClient();
    await signInThroughBff(stack, browser, 'viewer');
    const noHeader = await browser.fetch(`${stack.appUrl}/bff/session`);
    expect(noHeader.status).toBe(403);
    expect((await noHeader.json()).error).toBe('csrf_rejected');
    const api = await browser.fetch(`${stack.appUrl}/api/devices`);
    expect((await api.json()).error).toBe('csrf_rejected');
    const foreign = await browser.fetch(`${stack.appUrl}/bff/logout`, {
      method: 'POST',
      headers: { ...csrfHeaders, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error).toBe('csrf_rejected');
    // The session survived the forged logout.
    expect((await browser.fetch(`${stack.appUrl}/bff/session`, { headers: csrfHeaders })).status).toBe(200);
  });

  it('never answers a CORS preflight', async () => {
    const response = await fetch(`${stack.appUrl}/bff/session`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(response.status).toBe(403);
    expect([...response.headers.keys()].some((k) => k.startsWith('access-control-'))).toBe(false);
  });

  it('sends a strict CSP and no-store on BFF answers', async () => {
    const response = await fetch(`${stack.appUrl}/bff/session`, { headers: csrfHeaders });
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('strict-transport-security')).toBeNull(); // plain http in tests
  });
});
