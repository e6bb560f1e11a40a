import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, TestOAuthClient, type TestPlatform } from './test-support.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.dispose());

const setFault = (base: string, body: unknown) =>
  fetch(`${base}/dev/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A GET with the path sent byte for byte (fetch would resolve `..` before sending). */
function rawGet(origin: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const tokenRequest = () =>
  fetch(`${platform.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });

describe('fault switch on the token endpoint', () => {
  it('answers 503 when down and recovers when switched back to ok', async () => {
    expect((await setFault(platform.issuer, { mode: 'down' })).status).toBe(200);
    expect((await tokenRequest()).status).toBe(503);
    // Only the token endpoint fails: discovery still answers.
    expect((await fetch(`${platform.issuer}/.well-known/openid-configuration`)).status).toBe(200);
    await setFault(platform.issuer, { mode: 'ok' });
    expect(await (await tokenRequest()).json()).toMatchObject({ error: 'invalid_request' }); // a real answer
  });

  it('drops the connection in reset mode', async () => {
    await setFault(platform.issuer, { mode: 'reset' });
    await expect(tokenRequest()).rejects.toThrow();
    await setFault(platform.issuer, { mode: 'ok' });
  });

  it('holds answers in slow mode, then gives the real one', async () => {
    await setFault(platform.issuer, { mode: 'slow', delayMs: 2_000 });
    let settled = false;
    const pending = tokenRequest().finally(() => {
      settled = true;
    });
    // Order, not elapsed time: a development endpoint (never delayed) answers first.
    expect((await fetch(`${platform.issuer}/dev/faults`)).status).toBe(200);
    expect(settled).toBe(false);
    expect(await (await pending).json()).toMatchObject({ error: 'invalid_request' });
    await setFault(platform.issuer, { mode: 'ok' });
  });

  it('refuses bad fault requests with 400 bad_request', async () => {
    for (const body of [{ mode: 'broken' }, { mode: 'slow', delayMs: -1 }, { mode: 'ok', extra: 1 }, 'x']) {
      const response = await setFault(platform.issuer, body);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toBe('bad_request');
    }
    const notJson = await fetch(`${platform.issuer}/dev/faults`, { method: 'POST', body: '{' });
    expect((await notJson.json()).error).toBe('bad_request');
    expect((await fetch(`${platform.issuer}/dev/faults`)).status).toBe(200);
  });
});

describe('the invalid_client fault', () => {
  it('refuses only the chosen grant type, like a rotated-away client secret, and counts it', async () => {
    const set = await setFault(platform.issuer, { mode: 'invalid_client', grant: 'client_credentials' });
    expect(await set.json()).toMatchObject({ mode: 'invalid_client', grant: 'client_credentials' });
    try {
      const { id, secret } = platform.config.automationClient;
      const tokenRequest = (grant: string) =>
        fetch(`${platform.issuer}/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${btoa(`${id}:${secret}`)}`,
          },
          body: new URLSearchParams({ grant_type: grant, scope: 'devices:read' }),
        });
      const refused = await tokenRequest('client_credentials');
      expect(refused.status).toBe(401);
      expect((await refused.json()).error).toBe('invalid_client');
      // Another grant type still reaches the authorization server (which answers it itself).
      const other = await tokenRequest('refresh_token');
      expect((await other.json()).error).not.toBe('invalid_client');
    } finally {
      await setFault(platform.issuer, { mode: 'ok' });
    }
  });

  it('takes `grant` only with mode invalid_client', async () => {
    const response = await setFault(platform.issuer, { mode: 'down', grant: 'client_credentials' });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('bad_request');
  });
});

describe('fault switch on the device API', () => {
  it('lives at the server root and takes the whole API down and back', async () => {
    expect((await setFault(platform.apiOrigin, { mode: 'down' })).status).toBe(200);
    expect((await fetch(`${platform.apiUrl}/devices`)).status).toBe(503);
    // The development endpoints stay reachable while the API is down.
    expect((await fetch(`${platform.apiOrigin}/dev/stats`)).status).toBe(200);
    await setFault(platform.apiOrigin, { mode: 'ok' });
    expect((await fetch(`${platform.apiUrl}/devices`)).status).toBe(401);
  });
});

describe('GET /dev/stats', () => {
  it('counts token requests by grant type and resets on DELETE', async () => {
    const client = await TestOAuthClient.forBff(platform);
    await fetch(`${platform.issuer}/dev/stats`, { method: 'DELETE' });
    const { tokens } = await client.signIn('viewer', 'viewer');
    await client.refresh(tokens.refresh_token ?? '');
    const stats = await (await fetch(`${platform.issuer}/dev/stats`)).json();
    expect(stats.tokenRequests).toEqual({ authorization_code: 1, refresh_token: 1 });
    expect(stats.refreshTokenReuse).toBe(0);
  });

  it('answers other methods with 405', async () => {
    for (const base of [platform.issuer, platform.apiOrigin]) {
      const response = await fetch(`${base}/dev/stats`, { method: 'POST' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, DELETE');
      expect((await response.json()).error).toBe('method_not_allowed');
    }
  });

  it('is absent when demo mode is off, on both servers', async () => {
    const production = await startTestPlatform({ PLATFORM_DEMO: 'false' });
    try {
      for (const base of [production.issuer, production.apiOrigin]) {
        expect((await fetch(`${base}/dev/stats`)).status).toBe(404);
        expect((await setFault(base, { mode: 'down' })).status).toBe(404);
      }
      expect((await fetch(`${production.apiUrl}/devices`)).status).toBe(401);
    } finally {
      await production.dispose();
    }
  });
});

describe('the device API under /v1', () => {
  it('serves its resources below apiUrl = apiOrigin + /v1', async () => {
    expect(platform.apiUrl).toBe(`${platform.apiOrigin}/v1`);
    const health = await fetch(`${platform.apiUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const devices = await fetch(`${platform.apiUrl}/devices`);
    expect(devices.status).toBe(401);
    expect((await devices.json()).error).toBe('unauthenticated');
  });

  it('answers the old unprefixed paths and anything else outside /v1 with 404 not_found', async () => {
    for (const path of ['/health', '/devices', '/', '/v2/devices', '/v1x/health', '/dev/other']) {
      const response = await fetch(`${platform.apiOrigin}${path}`);
      expect(response.status, path).toBe(404);
      expect((await response.json()).error, path).toBe('not_found');
    }
  });

  it('never reaches the development endpoints from below /v1', async () => {
    const paths = ['/dev/stats', '/dev/faults', '/../dev/stats', '/%2e%2e/dev/stats', '/%2E%2E/dev/faults'];
    for (const path of paths) {
      const { status, body } = await rawGet(platform.apiOrigin, `/v1${path}`);
      expect(status, path).toBeGreaterThanOrEqual(400);
      expect(status, path).toBeLessThan(500);
      const json = JSON.parse(body);
      expect(json.error, path).toMatch(/^(not_found|bad_request)$/);
      expect(json, path).not.toHaveProperty('rejected');
      expect(json, path).not.toHaveProperty('mode');
    }
    const post = await fetch(`${platform.apiUrl}/dev/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'down' }),
    });
    expect(post.status).toBe(404);
    expect((await fetch(`${platform.apiOrigin}/dev/faults`)).status).toBe(200);
    expect((await (await fetch(`${platform.apiOrigin}/dev/faults`)).json()).mode).toBe('ok');
  });
});

describe('GET /dev/stats on the device API', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const apiStats = async () => (await fetch(`${platform.apiOrigin}/dev/stats`)).json();

  it('counts accepted tokens and rejections by reason, expired ones included, and resets on DELETE', async () => {
    const client = await TestOAuthClient.forBff(platform);
    const { tokens } = await client.signIn('viewer', 'viewer');
    const reset = await fetch(`${platform.apiOrigin}/dev/stats`, { method: 'DELETE' });
    expect((await reset.json()).accepted).toBe(0);
    const bearer = { authorization: `Bearer ${tokens.access_token}` };

    expect((await fetch(`${platform.apiUrl}/devices?limit=1`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${platform.apiUrl}/devices`)).status).toBe(401);
    const command = await fetch(`${platform.apiUrl}/devices/dev-0001/commands`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'reboot' }),
    });
    expect(command.status).toBe(403);
    let stats = await apiStats();
    expect(stats.accepted).toBe(1);
    expect(stats.rejected).toMatchObject({ missing: 1, insufficient_scope: 1, expired: 0 });

    vi.setSystemTime(Date.now() + 906_000); // past the 900 s lifetime and the 5 s tolerance
    expect((await fetch(`${platform.apiUrl}/devices`, { headers: bearer })).status).toBe(401);
    stats = await apiStats();
    expect(stats.rejected.expired).toBe(1);
    expect(stats.accepted).toBe(1);
    expect(platform.apiStats.current.rejected.expired).toBe(1);

    await fetch(`${platform.apiOrigin}/dev/stats`, { method: 'DELETE' });
    stats = await apiStats();
    expect(stats.accepted).toBe(0);
    expect(Object.values(stats.rejected).every((n) => n === 0)).toBe(true);
    expect(stats.since).toEqual(expect.any(String));
  });
});
