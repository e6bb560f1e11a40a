import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('delays answers in slow mode', async () => {
    await setFault(platform.issuer, { mode: 'slow', delayMs: 300 });
    const started = performance.now();
    await tokenRequest();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
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

describe('fault switch on the device API', () => {
  it('takes the whole API down and back', async () => {
    await setFault(platform.apiUrl, { mode: 'down' });
    expect((await fetch(`${platform.apiUrl}/devices`)).status).toBe(503);
    await setFault(platform.apiUrl, { mode: 'ok' });
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

  it('is absent when demo mode is off', async () => {
    const production = await startTestPlatform({ PLATFORM_DEMO: 'false' });
    try {
      expect((await fetch(`${production.issuer}/dev/stats`)).status).toBe(404);
      expect((await setFault(production.issuer, { mode: 'down' })).status).toBe(404);
    } finally {
      await production.dispose();
    }
  });
});
