import { describe, expect, it, vi } from 'vitest';
import { bearerToken } from './access-token.ts';
import { createTestApi, createTestKeys, json, T0, VIEWER_SCOPE } from './test-support.ts';

const T0_SECONDS = T0 / 1000;
const REALM = 'iot-device-api';

async function request(api: Awaited<ReturnType<typeof createTestApi>>, authorization?: string) {
  return api.app.request('/devices', { headers: authorization ? { Authorization: authorization } : {} });
}

describe('bearerToken', () => {
  it('takes the token of the Bearer scheme only, case-insensitively', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer  abc')).toBe('abc');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer   ')).toBeUndefined();
    expect(bearerToken('BearerX abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('access tokens', () => {
  it('accepts a valid token and serves the request', async () => {
    const api = await createTestApi();
    const response = await request(api, `Bearer ${await api.keys.token(T0)}`);
    expect(response.status).toBe(200);
    expect((await json(response)).total).toBe(120);
  });

  it('answers a request without a token with 401 unauthenticated and a bare challenge', async () => {
    const api = await createTestApi();
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer ']) {
      const response = await request(api, authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('WWW-Authenticate')).toBe(`Bearer realm="${REALM}"`);
      expect((await json(response)).error).toBe('unauthenticated');
    }
  });

  it('uses the configured realm in challenges', async () => {
    const api = await createTestApi({ realm: 'plant-floor' });
    const response = await request(api);
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="plant-floor"');
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    ['characters outside b64token', 'abc def'],
    ['three parts that are not JSON', 'aaa.bbb.ccc'],
  ])('refuses a malformed token (%s) with 401 invalid_token', async (_, token) => {
    const api = await createTestApi();
    const response = await request(api, `Bearer ${token}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toBe(
      `Bearer realm="${REALM}", error="invalid_token", error_description="The access token is malformed"`,
    );
    expect((await json(response)).error).toBe('invalid_token');
  });

  const invalid: [string, Parameters<Awaited<ReturnType<typeof createTestKeys>>['token']>, string][] = [
    ['a forged signature', [T0, {}, 'stranger'], 'The access token signature is invalid'],
    [
      'another issuer',
      [T0, { iss: 'https://evil.example' }],
      'The access token was issued by an unexpected issuer',
    ],
    ['another audience', [T0, { aud: 'urn:other-api' }], 'The access token is not meant for this API'],
    ['an ID token typ', [T0, { typ: 'JWT' }], 'The token is not an access token (typ must be at+jwt)'],
    ['an unknown key id', [T0, { kid: 'rotated-away' }], 'The access token was signed with an unknown key'],
    ['no client_id', [T0, { extra: { client_id: undefined } }], 'The access token lacks the client_id claim'],
    ['no exp', [T0, { extra: { exp: undefined } }], 'The access token lacks the exp claim'],
    [
      'a non-string scope',
      [T0, { extra: { scope: ['devices:read'] } }],
      'The access token has invalid claims',
    ],
    ['a future nbf', [T0, { extra: { nbf: T0_SECONDS + 600 } }], 'The access token is not valid yet'],
  ];
  it.each(invalid)('refuses a token with %s with 401 invalid_token', async (_, args, description) => {
    const api = await createTestApi();
    const response = await request(api, `Bearer ${await api.keys.token(...args)}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toBe(
      `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`,
    );
    expect((await json(response)).error).toBe('invalid_token');
  });

  it('accepts the audience among several in an array', async () => {
    const api = await createTestApi();
    const token = await api.keys.token(T0, { aud: ['urn:other-api', 'urn:iot:device-api'] });
    expect((await request(api, `Bearer ${token}`)).status).toBe(200);
  });

  describe('expiry', () => {
    // Issued 20 minutes before T0, expired 5 minutes before T0.
    const issued = T0_SECONDS - 1200;
    const expired = T0_SECONDS - 300;

    it("answers an expired token in the 'bearer' style with RFC 6750's 401", async () => {
      const api = await createTestApi();
      const token = await api.keys.token(T0, { iat: issued, exp: expired });
      const response = await request(api, `Bearer ${token}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('WWW-Authenticate')).toBe(
        `Bearer realm="${REALM}", error="invalid_token", error_description="The access token expired"`,
      );
      expect((await json(response)).error).toBe('invalid_token');
    });

    it("answers an expired token in the 'facebook' style with 400 and the OAuth challenge", async () => {
      const api = await createTestApi({ expiredTokenStyle: 'facebook' });
      const token = await api.keys.token(T0, { iat: issued, exp: expired });
      const response = await request(api, `Bearer ${token}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('WWW-Authenticate')).toBe(
        `OAuth "Facebook Platform" "invalid_token" "Error validating access token: Session has expired at unix time ${expired}. The current unix time is ${T0_SECONDS}."`,
      );
      expect((await json(response)).error).toBe('invalid_token');
    });

    it("keeps the 401 Bearer answer for other invalid tokens in the 'facebook' style", async () => {
      const api = await createTestApi({ expiredTokenStyle: 'facebook' });
      const token = await api.keys.token(T0, { iat: issued, exp: expired, iss: 'https://evil.example' });
      const response = await request(api, `Bearer ${token}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('WWW-Authenticate')).toContain('error="invalid_token"');
    });

    it('allows the configured clock tolerance and no more', async () => {
      const api = await createTestApi({ clockToleranceSeconds: 5 });
      const justExpired = await api.keys.token(T0, { iat: issued, exp: T0_SECONDS - 4 });
      expect((await request(api, `Bearer ${justExpired}`)).status).toBe(200);
      const tooLate = await api.keys.token(T0, { iat: issued, exp: T0_SECONDS - 5 });
      expect((await request(api, `Bearer ${tooLate}`)).status).toBe(401);
    });

    it('judges expiry by the injected clock', async () => {
      const api = await createTestApi();
      const token = await api.keys.token(T0);
      expect((await request(api, `Bearer ${token}`)).status).toBe(200);
      api.clock.advance(900_000 + 5_000);
      const response = await request(api, `Bearer ${token}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('WWW-Authenticate')).toContain(
        'error_description="The access token expired"',
      );
    });
  });

  describe('scopes', () => {
    it('refuses a token without devices:read on reads with 403 insufficient_scope', async () => {
      const api = await createTestApi();
      const token = await api.keys.token(T0, { scope: 'openid devices:command' });
      const response = await request(api, `Bearer ${token}`);
      expect(response.status).toBe(403);
      expect(response.headers.get('WWW-Authenticate')).toBe(
        `Bearer realm="${REALM}", error="insufficient_scope", scope="devices:read"`,
      );
      expect((await json(response)).error).toBe('insufficient_scope');
    });

    it('refuses a token with no scope claim at all', async () => {
      const api = await createTestApi();
      const response = await request(api, `Bearer ${await api.keys.token(T0, { scope: undefined })}`);
      expect(response.status).toBe(403);
    });

    it.each([
      ['/devices/dev-0001/commands', { type: 'reboot' }],
      ['/alerts/alr-dev-0001-device_offline-1/ack', undefined],
    ])('refuses a viewer token on POST %s with 403 insufficient_scope', async (path, body) => {
      const api = await createTestApi();
      const response = await api.call(path, { method: 'POST', body, token: { scope: VIEWER_SCOPE } });
      expect(response.status).toBe(403);
      expect(response.headers.get('WWW-Authenticate')).toBe(
        `Bearer realm="${REALM}", error="insufficient_scope", scope="devices:command"`,
      );
      expect((await json(response)).error).toBe('insufficient_scope');
    });

    it('checks the token before the input, so bad input from a stranger is still a 401', async () => {
      const api = await createTestApi();
      const response = await api.app.request('/devices/not-an-id/telemetry?metric=nope');
      expect(response.status).toBe(401);
    });
  });

  it('answers 503 auth_unavailable, not invalid_token, when the key set cannot be fetched', async () => {
    const api = await createTestApi({
      getKey: async () => {
        throw new TypeError('fetch failed');
      },
    });
    const token = await (await createTestKeys()).token(T0);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await request(api, `Bearer ${token}`);
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('5');
    expect((await json(response)).error).toBe('auth_unavailable');
  });
});
