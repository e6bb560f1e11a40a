import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, TestOAuthClient, type TestPlatform } from '../test-support.ts';
import { ROLE_SCOPES } from './accounts.ts';

// Each scope value once in every access token and token response: after sign-in, after a silent
// re-authentication in the same SSO session, and after several refreshes, in both profiles.
const T0 = new Date('2026-03-02T06:00:00Z').getTime();
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);

let platform: TestPlatform | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await platform?.dispose();
  platform = undefined;
});

function scopesOf(tokens: { access_token: string; scope?: string }) {
  const claim = String(decodeJwt(tokens.access_token).scope).split(' ');
  const response = (tokens.scope ?? '').split(' ');
  return { claim, response };
}

describe.each(['strict', 'lenient'] as const)('access-token scope (%s profile)', (profile) => {
  it.each(['operator', 'viewer'] as const)(
    'lists each scope of the %s once, however often tokens are renewed',
    async (role) => {
      platform = await startTestPlatform({ AUTH_PROFILE: profile });
      const client = await TestOAuthClient.forBff(platform);
      const expected = [...ROLE_SCOPES[role]];
      at(0);
      const issued = [];
      // Two sign-ins in the same browser: the second reuses the SSO session and its grant.
      for (const _ of [1, 2]) {
        const { tokens } = await client.signIn(role, role);
        issued.push(tokens);
        let refreshToken = tokens.refresh_token ?? '';
        for (const t of [300, 600, 900]) {
          at(t);
          const refreshed = await client.refresh(refreshToken);
          refreshToken = refreshed.refresh_token ?? refreshToken;
          issued.push(refreshed);
        }
      }
      for (const tokens of issued) {
        const { claim, response } = scopesOf(tokens);
        expect(claim).toEqual(expected);
        expect(response).toEqual(expected);
      }
    },
  );
});
