import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BFF_SCOPE,
  CookieJarClient,
  startTestPlatform,
  TestOAuthClient,
  type TestPlatform,
} from '../test-support.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.dispose());

function authorizationUrl(params: Record<string, string>): string {
  const url = new URL(`${platform.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: 'iot-bff',
    response_type: 'code',
    redirect_uri: `${platform.config.appUrl}/bff/callback`,
    scope: BFF_SCOPE,
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    ...params,
  }).toString();
  return url.href;
}

describe('discovery', () => {
  it('advertises every endpoint and capability the BFF relies on', async () => {
    const client = await TestOAuthClient.forBff(platform);
    const as = client.as;
    expect(as.issuer).toBe(platform.issuer);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.revocation_endpoint).toBe(`${platform.issuer}/token/revocation`);
    expect(as.end_session_endpoint).toBe(`${platform.issuer}/session/end`);
    expect(as.backchannel_logout_supported).toBe(true);
    expect(as.backchannel_logout_session_supported).toBe(true);
    expect(as.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
    );
    expect(as.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'offline_access']));
    expect(as.jwks_uri).toBe(`${platform.issuer}/jwks`);
  });
});

describe('authorization code + PKCE through the login form', () => {
  it('signs the operator in and issues a JWT access token for the device API, an ID token and a refresh token', async () => {
    const client = await TestOAuthClient.forBff(platform);
    const { tokens, callback } = await client.signIn('operator', 'operator');

    // RFC 9207: the authorization response names its issuer.
    expect(callback.searchParams.get('iss')).toBe(platform.issuer);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(900);
    expect(tokens.refresh_token).toEqual(expect.any(String));

    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
    const access = decodeJwt(tokens.access_token);
    expect(access.iss).toBe(platform.issuer);
    expect(access.aud).toBe('urn:iot:device-api');
    expect(access.sub).toBe('usr-operator-0001');
    expect(String(access.scope).split(' ').sort()).toEqual(['devices:command', 'devices:read', 'jobs:run']);
    expect(access.roles).toEqual(['operator']);
    expect(Number(access.exp) - Number(access.iat)).toBe(900);

    const idToken = oauth.getValidatedIdTokenClaims(tokens);
    expect(idToken?.sub).toBe('usr-operator-0001');
    expect(idToken?.name).toBe('Olivia Operator');
    expect(idToken?.roles).toEqual(['operator']);
    expect(idToken?.sid).toEqual(expect.any(String));
  });

  it('grants the viewer only devices:read, without a consent screen', async () => {
    const client = await TestOAuthClient.forBff(platform);
    const { tokens } = await client.signIn('viewer', 'viewer');
    expect(decodeJwt(tokens.access_token).scope).toBe('devices:read');
    expect(decodeJwt(tokens.access_token).roles).toEqual(['viewer']);
  });

  it('skips the form for a user already signed in at the authorization server (SSO), also with prompt=none', async () => {
    const client = await TestOAuthClient.forBff(platform);
    await client.signIn('operator', 'operator');
    const { location } = await client.browser.follow(
      authorizationUrl({ prompt: 'none' }),
      platform.config.appUrl,
    );
    const callback = new URL(location);
    expect(callback.pathname).toBe('/bff/callback');
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
    expect(callback.searchParams.get('error')).toBeNull();
  });

  it('answers prompt=none without an SSO session with login_required at the redirect URI', async () => {
    const browser = new CookieJarClient();
    const { location } = await browser.follow(authorizationUrl({ prompt: 'none' }), platform.config.appUrl);
    const callback = new URL(location);
    expect(callback.searchParams.get('error')).toBe('login_required');
    expect(callback.searchParams.get('state')).toBe('state-1');
    expect(callback.searchParams.get('iss')).toBe(platform.issuer);
  });
});

describe('authorization request checks', () => {
  it('requires PKCE with S256 for the confidential client', async () => {
    const browser = new CookieJarClient();
    const withoutPkce = new URL(authorizationUrl({}));
    withoutPkce.searchParams.delete('code_challenge');
    withoutPkce.searchParams.delete('code_challenge_method');
    const { location } = await browser.follow(withoutPkce.href, platform.config.appUrl);
    expect(new URL(location).searchParams.get('error')).toBe('invalid_request');

    const plain = await browser.follow(
      authorizationUrl({ code_challenge_method: 'plain', code_challenge: 'a'.repeat(43) }),
      platform.config.appUrl,
    );
    expect(new URL(plain.location).searchParams.get('error')).toBe('invalid_request');
  });

  it('accepts only the exact registered redirect URI (an error page, never a redirect elsewhere)', async () => {
    const browser = new CookieJarClient();
    for (const redirect of [
      'http://localhost:3000/bff/callback/extra',
      'http://localhost:3000/bff/callback?x=1',
      'http://evil.example/bff/callback',
    ]) {
      const response = await browser.fetch(authorizationUrl({ redirect_uri: redirect }));
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('redirect_uri');
    }
  });

  it('rejects an unknown client with an error page', async () => {
    const response = await new CookieJarClient().fetch(authorizationUrl({ client_id: 'nobody' }));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('invalid_client');
  });
});

describe('login form', () => {
  async function openForm(browser: CookieJarClient) {
    const { response, location } = await browser.follow(authorizationUrl({}), platform.config.appUrl);
    expect(response?.status).toBe(200);
    const html = (await response?.text()) ?? '';
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
    return { html, location, action: new URL(action.replace(/&#47;/g, '/'), location).href, response };
  }

  it('has labelled Username and Password fields, a Sign in button and a strict CSP', async () => {
    const browser = new CookieJarClient();
    const { html, response } = await openForm(browser);
    expect(html).toContain('<label for="username">Username</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('<button type="submit">Sign in</button>');
    expect(html).not.toContain('<script');
    expect(response?.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response?.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('shows a wrong password as an error on the form without saying which field was wrong', async () => {
    const browser = new CookieJarClient();
    const { action } = await openForm(browser);
    for (const [username, password] of [
      ['operator', 'wrong'],
      ['nobody', 'operator'],
      ['', ''],
    ] as const) {
      const response = await browser.fetch(action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username, password }),
      });
      expect(response.status).toBe(401);
      const html = await response.text();
      expect(html).toContain('role="alert">Incorrect username or password.</div>');
      expect(html).toContain('<button type="submit">Sign in</button>');
    }
  });

  it('answers an expired or foreign interaction with a 400 page, not a 500', async () => {
    const browser = new CookieJarClient();
    const { action } = await openForm(browser);
    const stranger = new CookieJarClient(); // no interaction cookie
    const response = await stranger.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'operator', password: 'operator' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('sign_in_expired');
    expect((await stranger.fetch(`${platform.issuer}/interaction/unknown-uid`)).status).toBe(400);
  });
});
