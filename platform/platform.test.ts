import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, TestOAuthClient, type TestPlatform } from './test-support.ts';

// The two halves together: tokens from the real authorization server at the real device API.
let platform: TestPlatform | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await platform?.dispose();
  platform = undefined;
});

async function tokenFor(
  username: string,
  env: Record<string, string> = {},
  overrides: Parameters<typeof startTestPlatform>[1] = {},
) {
  platform = await startTestPlatform(env, overrides);
  const client = await TestOAuthClient.forBff(platform);
  const { tokens } = await client.signIn(username, username);
  return { platform, accessToken: tokens.access_token };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('device API with tokens from the authorization server', () => {
  it("serves the operator's reads and commands", async () => {
    const { platform, accessToken } = await tokenFor('operator');
    const devices = await fetch(`${platform.apiUrl}/devices?limit=5`, { headers: bearer(accessToken) });
    expect(devices.status).toBe(200);
    const body = await devices.json();
    expect(body.total).toBe(120);
    expect(body.items).toHaveLength(5);
    const online = body.items.find((d: { status: string }) => d.status === 'online');
    const command = await fetch(`${platform.apiUrl}/devices/${online.id}/commands`, {
      method: 'POST',
      headers: { ...bearer(accessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'recalibrate' }),
    });
    expect(command.status).toBe(202);
    expect((await command.json()).issuedBy).toBe('usr-operator-0001');
  });

  it("refuses the viewer's command with 403 insufficient_scope", async () => {
    const { platform, accessToken } = await tokenFor('viewer');
    const response = await fetch(`${platform.apiUrl}/devices/dev-0001/commands`, {
      method: 'POST',
      headers: { ...bearer(accessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'reboot' }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect((await response.json()).error).toBe('insufficient_scope');
  });

  it('answers an expired token with 401 invalid_token (RFC 6750)', async () => {
    const { platform, accessToken } = await tokenFor('viewer');
    vi.setSystemTime(Date.now() + 906_000);
    const response = await fetch(`${platform.apiUrl}/devices`, { headers: bearer(accessToken) });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", error="invalid_token"/);
  });

  it('answers an expired token the Facebook way when configured so', async () => {
    const { platform, accessToken } = await tokenFor('viewer', { API_EXPIRED_TOKEN_STYLE: 'facebook' });
    vi.setSystemTime(Date.now() + 906_000);
    const response = await fetch(`${platform.apiUrl}/devices`, { headers: bearer(accessToken) });
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toMatch(/^OAuth "Facebook Platform" "invalid_token" "/);
  });

  it('serves access tokens from the lenient profile the same way', async () => {
    const { platform, accessToken } = await tokenFor('operator', { AUTH_PROFILE: 'lenient' });
    const response = await fetch(`${platform.apiUrl}/devices?limit=1`, { headers: bearer(accessToken) });
    expect(response.status).toBe(200);
    expect(platform.apiStats.current.accepted).toBe(1);
  });

  it('runs firmware updates with the configured timing', async () => {
    const { platform, accessToken } = await tokenFor(
      'operator',
      { API_FIRMWARE_FAILURE_RATE: '0' },
      { firmwareUpdateMs: 0 },
    );
    const [device] = (
      await (
        await fetch(`${platform.apiUrl}/devices?status=online&limit=1`, { headers: bearer(accessToken) })
      ).json()
    ).items;
    const command = await fetch(`${platform.apiUrl}/devices/${device.id}/commands`, {
      method: 'POST',
      headers: { ...bearer(accessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'firmware-update', version: '9.9.9' }),
    });
    expect(command.status).toBe(202);
    expect((await command.json()).status).toBe('completed');
    const detail = await (
      await fetch(`${platform.apiUrl}/devices/${device.id}`, { headers: bearer(accessToken) })
    ).json();
    expect(detail.firmwareVersion).toBe('9.9.9');
  });

  it('serves the configured fleet size', async () => {
    const { platform, accessToken } = await tokenFor('viewer', { API_FLEET_SIZE: '10000' });
    const body = await (
      await fetch(`${platform.apiUrl}/devices?limit=1`, { headers: bearer(accessToken) })
    ).json();
    expect(body.total).toBe(10_000);
  });
});
