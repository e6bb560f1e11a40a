import { describe, expect, it } from 'vitest';
import { listen } from '../../lib/http-server.ts';
import { MemoryCoordinationStore } from '../coordination/coordination-store.ts';
import { startBff } from '../server.ts';
import { csrfHeaders, LatencyStore, PLATFORM_PROFILES, unsealSessionCookie } from '../test-support.ts';
import {
  at,
  auditOf,
  dashboardRequest,
  disposeStacksAfterEach,
  outcome,
  platformStats,
  refreshGrants,
  signedIn,
} from './lifecycle-test-support.ts';

// Long runs of simulated time, in a file of their own so the two test workers share the load.
disposeStacksAfterEach();

describe.each(PLATFORM_PROFILES)('ten minutes of 60 s access tokens (%s platform)', (profile) => {
  it('never lets an expired token reach the API', async () => {
    const { stack: s, browser } = await signedIn({ profile, platformEnv: { AUTH_ACCESS_TOKEN_TTL: '60' } });
    s.platform.apiStats.reset();
    for (let t = 1; t <= 600; t += 5) {
      at(t);
      const results = await Promise.all(
        Array.from({ length: 3 }, async () => outcome(await dashboardRequest(s, browser))),
      );
      expect(results).toEqual(['200', '200', '200']);
      await s.settled();
    }
    const api = s.platform.apiStats.current;
    expect(api.rejected.expired).toBe(0);
    expect(api.accepted).toBe(360);
    // The leeway is capped at half the token's life: a refresh about every 30 s, not on every request.
    expect(refreshGrants(s)).toBeGreaterThanOrEqual(18);
    expect(refreshGrants(s)).toBeLessThanOrEqual(21);
    expect(platformStats(s).refreshTokenReuse).toBe(0);
  }, 60_000);
});

describe('a simulated 8-hour shift with the platform defaults (900 / 1800 / 7200 / SSO 43200)', () => {
  it('refreshes 60 s before each expiry in the background, never reuses a refresh token, ends each session exactly at 2 h', async () => {
    const { stack: s, browser } = await signedIn({ bffEnv: { SESSION_ABSOLUTE_LIFETIME: '7200' } });
    let sessionStartedAt = 0;
    const sessionEnds: number[] = [];
    const collectedAt: number[] = [];
    let lastRefreshCount = 0;
    for (let t = 0; t <= 8 * 3600; t += 30) {
      at(t);
      // The dashboard: five panels poll in parallel every 30 s.
      const results = await Promise.all(
        Array.from({ length: 5 }, async () => outcome(await dashboardRequest(s, browser))),
      );
      await s.settled();
      if (results.every((r) => r === '200')) {
        const { refreshCount } = await unsealSessionCookie(s, browser);
        if (refreshCount !== lastRefreshCount) collectedAt.push(t - sessionStartedAt);
        lastRefreshCount = refreshCount;
        continue;
      }
      expect(results).toEqual(Array(5).fill('401 session_expired'));
      expect(t - sessionStartedAt).toBe(7200); // not one request earlier
      sessionEnds.push(t);
      // What the SPA does next: one silent re-authentication through the platform's SSO session.
      await browser.follow(`${s.appUrl}/bff/login?prompt=none&returnTo=%2F`);
      sessionStartedAt = t;
      lastRefreshCount = 0;
      expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
    }
    expect(sessionEnds).toEqual([7200, 14_400, 21_600, 28_800]);
    // Refreshed at 840 s (60 s before the 15-minute token expires) in the background; the next poll,
    // 30 s later, carries the new session to the browser.
    expect(collectedAt.slice(0, 8)).toEqual([870, 1710, 2550, 3390, 4230, 5070, 5910, 6750]);
    expect(platformStats(s).tokenRequests.refresh_token).toBe(32);
    expect(platformStats(s).refreshTokenReuse).toBe(0);
    expect(platformStats(s).revokedGrants).toBe(0);
    expect(auditOf(s, 'session_ended')).toHaveLength(4);
  }, 180_000);
});

describe('the 60-minute logout, reproduced and explained', () => {
  it('ends at exactly 60 minutes when the absolute lifetime is 3600 s, and the audit line says why', async () => {
    const { stack: s, browser } = await signedIn({
      platformEnv: { AUTH_REFRESH_TOKEN_ABSOLUTE_TTL: '3600' },
      bffEnv: { SESSION_ABSOLUTE_LIFETIME: '3600' },
    });
    for (let t = 30; t < 3600; t += 30) {
      at(t);
      expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
      await s.settled();
    }
    at(3600);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('401 session_expired');
    expect(auditOf(s, 'session_ended')).toEqual([
      expect.objectContaining({ reason: 'refresh_token_lifetime_ended', lifetimeSeconds: 3600 }),
    ]);
    expect(platformStats(s).refreshTokenReuse).toBe(0);
  });

  it('without the lifetime configured, learns it from invalid_grant at the first refresh after 60 minutes', async () => {
    const { stack: s, browser } = await signedIn({
      platformEnv: { AUTH_REFRESH_TOKEN_ABSOLUTE_TTL: '3600' },
    });
    for (const t of [840, 870, 1680, 1710, 2520, 2550, 3360, 3390, 3600, 4170, 4200]) {
      at(t);
      expect(await outcome(await dashboardRequest(s, browser))).toBe('200'); // the last access token still serves
      await s.settled();
    }
    // The background refresh at 4200 s was refused: the session ends at the next request.
    at(4230);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('401 session_expired');
    expect(s.audit).toContainEqual(
      expect.objectContaining({
        event: 'refresh_failed',
        failure: 'grant_rejected',
        oauthError: 'invalid_grant',
      }),
    );
    expect(s.audit).toContainEqual(
      expect.objectContaining({
        event: 'session_ended',
        reason: 'refresh_token_rejected',
        sessionAgeSeconds: 4200,
      }),
    );
    expect(browser.cookies(new URL(s.appUrl).host).has('__Host-bff_session')).toBe(false);
  });
});

describe.each(PLATFORM_PROFILES)(
  'several BFF instances sharing a networked store (%s platform)',
  (profile) => {
    it('still refresh exactly once when requests race across instances, expired or inside the leeway', async () => {
      // Two store clients over one backing store, each call a 2 ms round trip: what Redis would allow.
      const backing = new MemoryCoordinationStore();
      const { stack: s, browser } = await signedIn({
        profile,
        deps: { store: new LatencyStore(backing, 2) },
      });
      const bound = await listen('127.0.0.1', 0);
      const secondUrl = `http://127.0.0.1:${bound.port}`;
      const secondRefreshes = new Set<Promise<unknown>>();
      const second = await startBff(
        { ...s.config, appUrl: secondUrl, appOrigin: secondUrl },
        {
          store: new LatencyStore(backing, 2),
          cookieSecrets: s.cookieSecrets,
          audit: { record: (event, fields = {}) => s.audit.push({ event, ...fields }) },
          observeRefresh: (refresh) => secondRefreshes.add(refresh),
        },
        bound,
      );
      const race = async (t: number) => {
        at(t);
        const cookie = browser.cookieHeader(new URL(s.appUrl));
        const responses = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            fetch(`${i % 2 ? secondUrl : s.appUrl}/api/devices?limit=1`, {
              headers: { ...csrfHeaders, cookie },
            }),
          ),
        );
        expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
        await s.settled();
        await Promise.allSettled([...secondRefreshes]);
        // The browser keeps what the responses set (all the same session when set).
        const line = responses
          .flatMap((r) => r.headers.getSetCookie())
          .find((l) => l.startsWith('__Host-bff_session='));
        if (line)
          browser
            .cookies(new URL(s.appUrl).host)
            .set('__Host-bff_session', line.split(';')[0]?.split('=')[1] ?? '');
      };
      try {
        await race(901); // expired: every request waits for the one refresh
        expect(platformStats(s).tokenRequests).toEqual({ refresh_token: 1 });
        await race(901 + 845); // inside the leeway: one background refresh
        expect(platformStats(s).tokenRequests).toEqual({ refresh_token: 2 });
        expect(platformStats(s).refreshTokenReuse).toBe(0);
        expect(auditOf(s, 'refresh')).toHaveLength(2);
      } finally {
        await second.close();
      }
    });
  },
);
