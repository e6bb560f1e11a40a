import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestOAuthClient } from '../platform/test-support.ts';
import { createOidcClient } from './app.ts';
import { warnAboutProvider } from './server.ts';
import {
  CookieJarClient,
  csrfHeaders,
  PLATFORM_PROFILES,
  type PlatformProfile,
  signInThroughBff,
  startTestStack,
  type TestStack,
  unsealSessionCookie,
} from './test-support.ts';

// The BFF against both behaviours of the platform: `strict` (rotation, revocation, claims in the ID
// token, client_secret_basic) and `lenient` (none of those; claims only in userinfo, Keycloak-style).
let stack: TestStack | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await stack?.dispose();
  stack = undefined;
});

const logout = (s: TestStack, browser: CookieJarClient) =>
  browser.fetch(`${s.appUrl}/bff/logout`, { method: 'POST', headers: csrfHeaders });

describe.each(PLATFORM_PROFILES)('any provider: the %s platform', (profile: PlatformProfile) => {
  it('names the user and their roles from the ID token, else from userinfo', async () => {
    stack = await startTestStack({ profile });
    for (const [username, name, role] of [
      ['operator', 'Olivia Operator', 'operator'],
      ['viewer', 'Victor Viewer', 'viewer'],
    ]) {
      const browser = new CookieJarClient();
      await signInThroughBff(stack, browser, username ?? '');
      const response = await browser.fetch(`${stack.appUrl}/bff/session`, { headers: csrfHeaders });
      expect((await response.json()).user).toEqual(expect.objectContaining({ name, roles: [role] }));
    }
  });

  it('authenticates the client the way discovery lists first', async () => {
    stack = await startTestStack({ profile });
    const oidc = createOidcClient(stack.config);
    expect(await oidc.clientAuthMethod()).toBe(
      profile === 'strict' ? 'client_secret_basic' : 'client_secret_post',
    );
  });

  it(`logout ${profile === 'strict' ? 'revokes the refresh token' : 'says the refresh token could not be revoked'}`, async () => {
    stack = await startTestStack({ profile });
    const browser = new CookieJarClient();
    await signInThroughBff(stack, browser, 'operator');
    const { refreshToken } = await unsealSessionCookie(stack, browser);
    const response = await logout(stack, browser);
    const body = await response.json();
    expect(body).toEqual({ logoutUrl: expect.any(String), revoked: profile === 'strict' });
    const platformClient = await TestOAuthClient.forBff(stack.platform);
    if (profile === 'strict') {
      expect(await platformClient.refreshOutcome(refreshToken ?? '')).toBe('invalid_grant');
    } else {
      // What no client can prevent: without a revocation endpoint the token lives on at the provider.
      expect(await platformClient.refreshOutcome(refreshToken ?? '')).toBe('ok');
      expect(stack.audit).toContainEqual(expect.objectContaining({ event: 'revocation_unsupported' }));
    }
    expect(stack.audit).toContainEqual(
      expect.objectContaining({ event: 'logout', revoked: profile === 'strict' }),
    );
  });

  it(`${profile === 'strict' ? 'does not warn' : 'warns at startup'} about offline_access without a revocation endpoint`, async () => {
    stack = await startTestStack({ profile });
    const lines: string[] = [];
    await warnAboutProvider(createOidcClient(stack.config), stack.config, (line) => lines.push(line));
    expect(lines.map((line) => JSON.parse(line).event)).toEqual(
      profile === 'strict' ? [] : ['revocation_unsupported'],
    );
  });

  it('keeps each scope once in the session, after sign-in and after refreshes', async () => {
    stack = await startTestStack({ profile });
    const browser = new CookieJarClient();
    const T0 = Date.parse('2026-03-02T06:00:00Z');
    vi.setSystemTime(T0);
    await signInThroughBff(stack, browser, 'operator');
    for (const t of [901, 1802]) {
      vi.setSystemTime(T0 + t * 1000);
      expect(
        (await browser.fetch(`${stack.appUrl}/api/devices?limit=1`, { headers: csrfHeaders })).status,
      ).toBe(200);
    }
    const { scope, refreshCount, accessToken } = await unsealSessionCookie(stack, browser);
    expect(refreshCount).toBe(2);
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString());
    for (const granted of [scope ?? '', String(payload.scope)]) {
      const values = granted.split(' ');
      expect(values).toEqual([...new Set(values)]);
      expect(values).toEqual(expect.arrayContaining(['devices:read', 'devices:command', 'jobs:run']));
    }
  });
});

describe('a provider that refuses the forced client authentication method', () => {
  it('sends the user back with a reason and audits what the provider said', async () => {
    stack = await startTestStack({ profile: 'lenient', bffEnv: { OIDC_CLIENT_AUTH: 'client_secret_basic' } });
    const browser = new CookieJarClient();
    const { landedOn } = await signInThroughBff(stack, browser, 'operator');
    expect(new URL(landedOn, stack.appUrl).searchParams.get('signin_error')).toBe('sign_in_failed');
    expect(stack.audit).toContainEqual(
      expect.objectContaining({
        event: 'sign_in_failed',
        reason: 'sign_in_failed',
        oauthError: 'invalid_client',
      }),
    );
  });
});

describe('id_token_hint at RP-initiated logout (OIDC_LOGOUT_ID_TOKEN_HINT)', () => {
  it('keeps the ID token in its own cookie for /bff/logout only, and sends it as id_token_hint', async () => {
    stack = await startTestStack({ bffEnv: { OIDC_LOGOUT_ID_TOKEN_HINT: 'true' } });
    const browser = new CookieJarClient();
    const { callbackResponse } = await signInThroughBff(stack, browser, 'operator');
    const hint = callbackResponse.headers
      .getSetCookie()
      .find((l) => l.startsWith('__Secure-bff_logout_hint='));
    expect(hint).toMatch(/; Path=\/bff\/logout; HttpOnly; Secure; SameSite=Strict$/);
    const session = callbackResponse.headers.getSetCookie().find((l) => l.startsWith('__Host-bff_session='));
    expect(Buffer.byteLength(session ?? '')).toBeLessThanOrEqual(2048); // the session cookie keeps its budget

    const response = await logout(stack, browser);
    const { logoutUrl } = await response.json();
    const idTokenHint = new URL(logoutUrl).searchParams.get('id_token_hint');
    expect(idTokenHint?.split('.')).toHaveLength(3);
    expect(response.headers.getSetCookie().find((l) => l.startsWith('__Secure-bff_logout_hint='))).toMatch(
      /Max-Age=0/,
    );
    // The provider accepts it: its logout confirmation page answers.
    expect((await browser.fetch(logoutUrl)).status).toBe(200);
  });

  it('sends no hint when off (the default)', async () => {
    stack = await startTestStack();
    const browser = new CookieJarClient();
    const { callbackResponse } = await signInThroughBff(stack, browser, 'operator');
    expect(callbackResponse.headers.getSetCookie().some((l) => l.includes('bff_logout_hint'))).toBe(false);
    const { logoutUrl } = await (await logout(stack, browser)).json();
    expect(new URL(logoutUrl).searchParams.has('id_token_hint')).toBe(false);
  });
});

describe('request ids', () => {
  it('answers every request with an id, and every error body carries it', async () => {
    stack = await startTestStack();
    const response = await fetch(`${stack.appUrl}/bff/session`, {
      headers: { ...csrfHeaders, 'x-request-id': 'forged-by-the-caller' },
    });
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({
      error: 'unauthenticated',
      message: expect.any(String),
      requestId: id,
    });
  });
});
