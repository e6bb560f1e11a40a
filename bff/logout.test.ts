import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestOAuthClient } from '../platform/test-support.ts';
import {
  CookieJarClient,
  csrfHeaders,
  signInThroughBff,
  startTestStack,
  type TestStack,
  unsealSessionCookie,
} from './test-support.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.dispose());

const sessionStatus = async (browser: CookieJarClient) => {
  const response = await browser.fetch(`${stack.appUrl}/bff/session`, { headers: csrfHeaders });
  return { status: response.status, error: response.ok ? undefined : (await response.json()).error };
};

describe('POST /bff/logout', () => {
  it('revokes the refresh token, ends the session for copies of the cookie, clears cookies, returns logoutUrl', async () => {
    const browser = new CookieJarClient();
    await signInThroughBff(stack, browser, 'operator');
    const { refreshToken, bffSessionId } = await unsealSessionCookie(stack, browser);
    const stolen = browser.copy();

    const response = await browser.fetch(`${stack.appUrl}/bff/logout`, {
      method: 'POST',
      headers: csrfHeaders,
    });
    expect(response.status).toBe(200);
    const { logoutUrl } = await response.json();
    const url = new URL(logoutUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${stack.platform.issuer}/session/end`);
    expect(url.searchParams.get('client_id')).toBe('iot-bff');
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.appUrl}/`);
    expect(url.searchParams.has('id_token_hint')).toBe(false);
    const cleared = response.headers.getSetCookie().filter((l) => l.startsWith('__Host-bff_session='));
    expect(cleared[0]).toMatch(/Max-Age=0/);

    // Dead at the platform, not just forgotten here.
    const platformClient = await TestOAuthClient.forBff(stack.platform);
    expect(await platformClient.refreshOutcome(refreshToken ?? '')).toBe('invalid_grant');
    expect(stack.platform.stats.current.revocations).toBeGreaterThanOrEqual(1);

    expect(await sessionStatus(browser)).toEqual({ status: 401, error: 'unauthenticated' });
    expect(await sessionStatus(stolen)).toEqual({ status: 401, error: 'session_expired' });
    expect(stack.audit).toContainEqual(
      expect.objectContaining({ event: 'logout', bffSessionId, revoked: true }),
    );
  });

  it('completes even when the identity provider cannot revoke (logged, not fatal)', async () => {
    const browser = new CookieJarClient();
    await signInThroughBff(stack, browser, 'viewer');
    const { bffSessionId } = await unsealSessionCookie(stack, browser);
    const stolen = browser.copy();
    stack.platform.authFaults.set('down');
    try {
      const response = await browser.fetch(`${stack.appUrl}/bff/logout`, {
        method: 'POST',
        headers: csrfHeaders,
      });
      expect(response.status).toBe(200);
      expect((await response.json()).logoutUrl).toContain('/session/end');
    } finally {
      stack.platform.authFaults.set('ok');
    }
    expect(await sessionStatus(stolen)).toEqual({ status: 401, error: 'session_expired' });
    expect(stack.audit).toContainEqual(
      expect.objectContaining({ event: 'logout', bffSessionId, revoked: false }),
    );
  });

  it('answers a logout without a session with a logoutUrl too', async () => {
    const response = await new CookieJarClient().fetch(`${stack.appUrl}/bff/logout`, {
      method: 'POST',
      headers: csrfHeaders,
    });
    expect(response.status).toBe(200);
    expect((await response.json()).logoutUrl).toContain('/session/end');
  });
});

describe('back-channel logout', () => {
  it('ends the BFF session when the user signs out at the platform', async () => {
    const browser = new CookieJarClient();
    await signInThroughBff(stack, browser, 'operator');
    expect((await sessionStatus(browser)).status).toBe(200);
    const { sid } = await unsealSessionCookie(stack, browser);

    // The user signs out at the identity provider directly (another app, or its own account page).
    const endSession = new URL(`${stack.platform.issuer}/session/end`);
    endSession.searchParams.set('client_id', 'iot-bff');
    const confirm = await browser.fetch(endSession);
    const html = await confirm.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    await browser.fetch(new URL(action, endSession), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });

    expect(await sessionStatus(browser)).toEqual({ status: 401, error: 'session_expired' });
    expect(stack.audit).toContainEqual(expect.objectContaining({ event: 'backchannel_logout', sid }));
    expect(stack.audit).toContainEqual(
      expect.objectContaining({ event: 'session_ended', reason: 'ended_elsewhere' }),
    );
  });

  const post = (body: string, contentType = 'application/x-www-form-urlencoded') =>
    fetch(`${stack.appUrl}/bff/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

  it('rejects missing, garbage, wrongly signed and wrongly typed logout tokens with 400', async () => {
    const forged = await new SignJWT({
      sid: 'x',
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' })
      .setIssuer(stack.platform.issuer)
      .setAudience('iot-bff')
      .setIssuedAt()
      .setJti('j1')
      .sign(new TextEncoder().encode('a-secret-the-platform-never-had-0000'));
    for (const response of [
      await post(''),
      await post('logout_token=not-a-jwt'),
      await post(`logout_token=${forged}`),
      await post(JSON.stringify({ logout_token: forged }), 'application/json'),
    ]) {
      expect(response.status).toBe(400);
      expect((await response.json()).error).toBe('bad_request');
    }
  });
});
