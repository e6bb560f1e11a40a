import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, TestOAuthClient, type TestPlatform } from '../test-support.ts';

// Time is simulated by mocking Date only (no fake timers): oidc-provider, jose and oauth4webapi read
// the clock through Date, while sockets and timers keep running for real.
const T0 = new Date('2026-03-02T06:00:00Z').getTime();
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);

let platform: TestPlatform | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await platform?.dispose();
  platform = undefined;
});

async function signedIn(env: Record<string, string> = {}) {
  platform = await startTestPlatform(env);
  const client = await TestOAuthClient.forBff(platform);
  at(0);
  const { tokens } = await client.signIn('operator', 'operator');
  return { client, refreshToken: tokens.refresh_token ?? '', platform };
}

describe('refresh token rotation', () => {
  it('returns a new refresh token on every use', async () => {
    const { client, refreshToken } = await signedIn();
    const first = await client.refresh(refreshToken);
    const second = await client.refresh(first.refresh_token ?? '');
    expect(first.refresh_token).toEqual(expect.any(String));
    expect(first.refresh_token).not.toBe(refreshToken);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(first.access_token).not.toBe(second.access_token);
  });

  it('revokes the whole grant when a rotated refresh token is presented again, and counts it', async () => {
    const { client, refreshToken, platform } = await signedIn();
    const rotated = await client.refresh(refreshToken);
    expect(await client.refreshOutcome(refreshToken)).toBe('invalid_grant');
    // The newer token dies with the grant: this is how a naive double refresh logs users out.
    expect(await client.refreshOutcome(rotated.refresh_token ?? '')).toBe('invalid_grant');
    expect(platform.stats.current.refreshTokenReuse).toBe(1);
    expect(platform.stats.current.revokedGrants).toBe(1);
    expect(platform.stats.current.tokenRequests).toEqual({ authorization_code: 1, refresh_token: 1 });
    expect(platform.stats.current.tokenErrors).toEqual({ refresh_token: 2 });
  });

  it('keeps the refresh token when rotation is switched off', async () => {
    const { client, refreshToken } = await signedIn({ AUTH_ROTATE_REFRESH_TOKENS: 'false' });
    const first = await client.refresh(refreshToken);
    expect(first.refresh_token ?? refreshToken).toBe(refreshToken);
    expect(await client.refreshOutcome(refreshToken)).toBe('ok');
  });
});

describe('refresh token lifetimes (defaults: idle 1800 s, absolute 7200 s)', () => {
  it('enforces the idle timeout to the second, counted from the last use', async () => {
    const { client, refreshToken } = await signedIn();
    at(1799);
    const renewed = await client.refresh(refreshToken);
    at(1799 + 1799);
    expect(await client.refreshOutcome(renewed.refresh_token ?? '')).toBe('ok');
  });

  it('rejects a refresh token idle for exactly 1800 s', async () => {
    const { client, refreshToken } = await signedIn();
    at(1800);
    expect(await client.refreshOutcome(refreshToken)).toBe('invalid_grant');
  });

  it('ends the rotation chain at the absolute lifetime however active the user is', async () => {
    const { client, refreshToken } = await signedIn();
    let current = refreshToken;
    for (const t of [1700, 3400, 5100, 6800, 7199]) {
      at(t);
      const response = await client.refresh(current);
      current = response.refresh_token ?? '';
    }
    at(7200);
    expect(await client.refreshOutcome(current)).toBe('invalid_grant');
  });

  it('reproduces the 60-minute logout when the absolute lifetime is 3600 s', async () => {
    const { client, refreshToken } = await signedIn({ AUTH_REFRESH_TOKEN_ABSOLUTE_TTL: '3600' });
    let current = refreshToken;
    for (const t of [840, 1680, 2520, 3360, 3599]) {
      at(t);
      current = (await client.refresh(current)).refresh_token ?? '';
    }
    at(3600);
    expect(await client.refreshOutcome(current)).toBe('invalid_grant');
  });

  it('issues access tokens with the configured lifetime', async () => {
    const { client, refreshToken } = await signedIn({ AUTH_ACCESS_TOKEN_TTL: '20' });
    expect((await client.refresh(refreshToken)).expires_in).toBe(20);
  });
});
