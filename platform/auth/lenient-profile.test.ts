import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BFF_SCOPE,
  insecureRequests,
  startTestPlatform,
  TestOAuthClient,
  type TestPlatform,
} from '../test-support.ts';

// AUTH_PROFILE=lenient against the real server, driven by oauth4webapi like the BFF drives it.
// Time is simulated by mocking Date only (no fake timers), as in refresh-tokens.test.ts.
const T0 = new Date('2026-03-02T06:00:00Z').getTime();
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);

let platform: TestPlatform | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await platform?.dispose();
  platform = undefined;
});

async function start(profile: 'strict' | 'lenient', env: Record<string, string> = {}) {
  platform = await startTestPlatform({ AUTH_PROFILE: profile, ...env });
  return platform;
}

async function signedIn(username = 'operator', env: Record<string, string> = {}) {
  const platform = await start('lenient', env);
  const client = await TestOAuthClient.forBff(platform);
  at(0);
  const { tokens, callback } = await client.signIn(username, username);
  return { platform, client, tokens, callback, refreshToken: tokens.refresh_token ?? '' };
}

const discovery = async (issuer: string) =>
  (await fetch(`${issuer}/.well-known/openid-configuration`)).json();

/** The OAuth error and HTTP status of a refresh attempt (never throws for an OAuth error). */
async function refreshError(client: TestOAuthClient, refreshToken: string) {
  try {
    await client.refresh(refreshToken);
    return { status: 200, error: 'none' };
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) return { status: error.status, error: error.error };
    throw error;
  }
}

describe('discovery per profile', () => {
  it('strict advertises RFC 9207, revocation and client_secret_basic', async () => {
    const { issuer } = await start('strict');
    const metadata = await discovery(issuer);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.revocation_endpoint).toBe(`${issuer}/token/revocation`);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    );
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['name', 'roles']));
    expect(metadata.claims_supported).not.toContain('realm_access');
  });

  it('lenient has no iss support, no revocation endpoint and only client_secret_post', async () => {
    const { issuer } = await start('lenient');
    const metadata = await discovery(issuer);
    expect(metadata).not.toHaveProperty('authorization_response_iss_parameter_supported');
    expect(metadata).not.toHaveProperty('revocation_endpoint');
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(['client_secret_post']);
    expect(metadata.userinfo_endpoint).toBe(`${issuer}/me`);
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['name', 'realm_access']));
    expect(metadata.claims_supported).not.toContain('roles');
    // Everything else the BFF relies on is still there.
    expect(metadata.end_session_endpoint).toBe(`${issuer}/session/end`);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
    );
  });
});

/** A `prompt=none` authorization request with a fixed state (no session: the answer is an error). */
function silentAuthorizationUrl(client: TestOAuthClient, extra: Record<string, string> = {}): URL {
  const url = new URL(String(client.as.authorization_endpoint));
  url.search = new URLSearchParams({
    client_id: client.client.client_id,
    response_type: 'code',
    ...extra,
    redirect_uri: client.redirectUri,
    scope: BFF_SCOPE,
    state: 'state-1',
    prompt: 'none',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString();
  return url;
}

describe('lenient: authorization responses', () => {
  it('carry no iss, and oauth4webapi accepts them because discovery does not promise one', async () => {
    const { callback, tokens } = await signedIn();
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
    expect(callback.searchParams.has('iss')).toBe(false);
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('carry no iss in an error response either (prompt=none without a session)', async () => {
    const platform = await start('lenient');
    const client = await TestOAuthClient.forBff(platform);
    const url = silentAuthorizationUrl(client);
    const { location } = await client.browser.follow(url.href, platform.config.appUrl);
    const callback = new URL(location);
    expect(callback.searchParams.get('error')).toBe('login_required');
    expect(callback.searchParams.get('state')).toBe('state-1');
    expect(callback.searchParams.has('iss')).toBe(false);
  });

  it('carry no iss in a form_post response', async () => {
    const platform = await start('lenient');
    const client = await TestOAuthClient.forBff(platform);
    const url = silentAuthorizationUrl(client, { response_mode: 'form_post' });
    const response = await client.browser.fetch(url);
    const html = await response.text();
    expect(html).toContain('<input type="hidden" name="error" value="login_required"/>');
    expect(html).toContain('<input type="hidden" name="state" value="state-1"/>');
    expect(html).not.toContain('name="iss"');
  });
});

describe('lenient: name and roles only in userinfo', () => {
  it('leaves name and roles out of the ID token', async () => {
    const { tokens } = await signedIn();
    const idToken = oauth.getValidatedIdTokenClaims(tokens);
    expect(idToken?.sub).toBe('usr-operator-0001');
    expect(idToken?.sid).toEqual(expect.any(String));
    expect(idToken).not.toHaveProperty('name');
    expect(idToken).not.toHaveProperty('roles');
    expect(idToken).not.toHaveProperty('realm_access');
  });

  it("answers userinfo for the BFF's access token (a JWT for the device API) with Keycloak-style roles", async () => {
    const { client, tokens, platform } = await signedIn();
    expect(decodeJwt(tokens.access_token).aud).toBe(platform.config.apiAudience);
    const claims = await client.userInfo(tokens.access_token, 'usr-operator-0001');
    expect(claims).toEqual({
      sub: 'usr-operator-0001',
      name: 'Olivia Operator',
      preferred_username: 'operator',
      realm_access: { roles: ['operator'] },
    });
    expect(claims).not.toHaveProperty('roles');
  });

  it('answers userinfo for the viewer and for an access token from a refresh', async () => {
    const { client, refreshToken } = await signedIn('viewer');
    const refreshed = await client.refresh(refreshToken);
    const claims = await client.userInfo(refreshed.access_token, 'usr-viewer-0001');
    expect(claims.realm_access).toEqual({ roles: ['viewer'] });
    expect(claims.name).toBe('Victor Viewer');
  });

  it('refuses an expired, forged or user-less access token with 401 invalid_token', async () => {
    const { client, tokens, platform } = await signedIn();
    const automation = await oauth.clientCredentialsGrantRequest(
      client.as,
      { client_id: platform.config.automationClient.id },
      oauth.ClientSecretPost(platform.config.automationClient.secret),
      { scope: 'devices:read' },
      insecureRequests,
    );
    const serviceToken = (
      await oauth.processClientCredentialsResponse(
        client.as,
        { client_id: platform.config.automationClient.id },
        automation,
      )
    ).access_token;
    const [header, payload] = tokens.access_token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;

    for (const token of [serviceToken, forged, 'aaa.bbb.ccc']) {
      await expect(client.userInfo(token, oauth.skipSubjectCheck as never)).rejects.toMatchObject({
        status: 401,
        cause: [{ scheme: 'bearer', parameters: { error: 'invalid_token' } }],
      });
    }
    at(901); // the access token lives 900 s
    await expect(client.userInfo(tokens.access_token, 'usr-operator-0001')).rejects.toMatchObject({
      status: 401,
      cause: [{ scheme: 'bearer', parameters: { error: 'invalid_token' } }],
    });
  });

  it("leaves requests without a JWT to oidc-provider's userinfo (401 invalid_token)", async () => {
    const { platform } = await signedIn();
    for (const headers of [{}, { authorization: 'Bearer opaque-and-unknown' }] as Record<string, string>[]) {
      const response = await fetch(`${platform.issuer}/me`, { headers });
      expect(response.status).toBe(401);
      expect((await response.json()).error).toBe('invalid_token');
    }
  });
});

describe('lenient: refresh tokens', () => {
  it('are not rotated: the same refresh token keeps working, and nothing counts as reuse', async () => {
    const { client, refreshToken, platform } = await signedIn();
    for (const t of [60, 120, 180]) {
      at(t);
      const response = await client.refresh(refreshToken);
      expect(response.refresh_token ?? refreshToken).toBe(refreshToken);
    }
    expect(platform.stats.current.tokenRequests).toEqual({ authorization_code: 1, refresh_token: 3 });
    expect(platform.stats.current.refreshTokenReuse).toBe(0);
    expect(platform.stats.current.revokedGrants).toBe(0);
  });

  it('answers an unknown refresh token with 400 invalid_request and counts the error', async () => {
    const { client, platform } = await signedIn();
    expect(await refreshError(client, 'no-such-refresh-token')).toEqual({
      status: 400,
      error: 'invalid_request',
    });
    expect(platform.stats.current.tokenErrors).toEqual({ refresh_token: 1 });
  });

  it('expire after the idle timeout counted from the last use, answered with 400 invalid_request', async () => {
    const { client, refreshToken } = await signedIn();
    at(1799);
    expect(await refreshError(client, refreshToken)).toEqual({ status: 200, error: 'none' });
    at(1799 + 1799);
    expect(await refreshError(client, refreshToken)).toEqual({ status: 200, error: 'none' });
    at(1799 + 1799 + 1800);
    expect(await refreshError(client, refreshToken)).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('expire at the absolute lifetime however often they are used', async () => {
    const { client, refreshToken } = await signedIn();
    for (const t of [1700, 3400, 5100, 6800, 7199]) {
      at(t);
      expect(await refreshError(client, refreshToken)).toEqual({ status: 200, error: 'none' });
    }
    at(7200);
    expect(await refreshError(client, refreshToken)).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('answers a refresh token revoked by signing out at the platform with 400 invalid_request', async () => {
    const { client, refreshToken, platform } = await signedIn();
    const endSession = new URL(String(client.as.end_session_endpoint));
    endSession.search = new URLSearchParams({
      client_id: client.client.client_id,
      post_logout_redirect_uri: `${platform.config.appUrl}/`,
    }).toString();
    const html = await (await client.browser.fetch(endSession)).text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const submitted = await client.browser.fetch(new URL(action, endSession), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });
    expect(submitted.status).toBe(303);
    expect(await refreshError(client, refreshToken)).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('cannot be revoked: there is no revocation endpoint', async () => {
    const { platform, refreshToken } = await signedIn();
    const { id, secret } = platform.config.bffClient;
    const response = await fetch(`${platform.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ token: refreshToken, client_id: id, client_secret: secret }),
    });
    expect(response.status).toBe(404);
    expect(platform.stats.current.revocations).toBe(0);
  });

  it('still answers other grant errors with their own code (a wrong code stays invalid_grant)', async () => {
    const platform = await start('lenient');
    const client = await TestOAuthClient.forBff(platform);
    const { id, secret } = platform.config.bffClient;
    const response = await fetch(String(client.as.token_endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'no-such-code',
        redirect_uri: client.redirectUri,
        code_verifier: 'a'.repeat(43),
        client_id: id,
        client_secret: secret,
      }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('invalid_grant');
  });
});

describe('lenient: client authentication', () => {
  it('accepts client_secret_post for both clients', async () => {
    const { client, refreshToken, platform } = await signedIn();
    // forBff picked client_secret_post from discovery; basic would be refused (next test).
    expect(await refreshError(client, refreshToken)).toEqual({ status: 200, error: 'none' });
    const { id, secret } = platform.config.automationClient;
    const response = await oauth.clientCredentialsGrantRequest(
      client.as,
      { client_id: id },
      oauth.ClientSecretPost(secret),
      { scope: 'devices:read' },
      insecureRequests,
    );
    const tokens = await oauth.processClientCredentialsResponse(client.as, { client_id: id }, response);
    expect(decodeJwt(tokens.access_token).client_id).toBe(id);
  });

  it('refuses client_secret_basic with 401 invalid_client, and counts it as a token error', async () => {
    const { refreshToken, platform } = await signedIn();
    const basic = await TestOAuthClient.forBff(platform, { auth: 'client_secret_basic' });
    await expect(basic.refresh(refreshToken)).rejects.toMatchObject({
      status: 401,
      cause: [{ scheme: 'basic', parameters: { error: 'invalid_client' } }],
    });
    expect(platform.stats.current.tokenErrors).toEqual({ refresh_token: 1 });
    const { id, secret } = platform.config.bffClient;
    const introspection = await fetch(`${platform.issuer}/token/introspection`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: refreshToken }),
    });
    expect(introspection.status).toBe(401);
    expect((await introspection.json()).error).toBe('invalid_client');
    // The refused request did nothing: the refresh token still works the right way.
    const post = await TestOAuthClient.forBff(platform);
    expect(await refreshError(post, refreshToken)).toEqual({ status: 200, error: 'none' });
  });

  it('strict keeps accepting client_secret_basic (the default TestOAuthClient choice there)', async () => {
    const platform = await start('strict');
    const client = await TestOAuthClient.forBff(platform);
    const { tokens } = await client.signIn('viewer', 'viewer');
    expect(await client.refreshOutcome(tokens.refresh_token ?? '')).toBe('ok');
  });
});
