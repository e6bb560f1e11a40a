import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CookieJarClient,
  csrfHeaders,
  signInThroughBff,
  startTestStack,
  type TestStack,
  unsealSessionCookie,
} from '../test-support.ts';

// Simulated time: Date is mocked (vi.setSystemTime, no fake timers), and the platform and the BFF run
// in this process on real sockets, so every token lifetime below is enforced by the real servers.
const T0 = Date.parse('2026-03-02T06:00:00Z');
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);

let stack: TestStack | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await stack?.dispose();
  stack = undefined;
});

async function signedIn(options: Parameters<typeof startTestStack>[0] = {}) {
  stack = await startTestStack(options);
  const browser = new CookieJarClient();
  at(0);
  await signInThroughBff(stack, browser, 'operator');
  return { stack, browser };
}

const dashboardRequest = (s: TestStack, browser: CookieJarClient, path = '/api/devices?limit=1') =>
  browser.fetch(`${s.appUrl}${path}`, { headers: csrfHeaders });

async function outcome(response: Response): Promise<string> {
  if (response.ok) {
    await response.body?.cancel();
    return String(response.status);
  }
  const body = await response.json().catch(() => ({}));
  return `${response.status} ${body.error ?? ''}`.trim();
}

const tokenStats = async (s: TestStack) => (await fetch(`${s.platform.issuer}/dev/stats`)).json();

describe('a simulated 8-hour shift with the platform defaults (900 / 1800 / 7200 / SSO 43200)', () => {
  it('refreshes every 14 minutes, never reuses a refresh token, and ends each session exactly at 2 h', async () => {
    const { stack: s, browser } = await signedIn({ bffEnv: { SESSION_ABSOLUTE_LIFETIME: '7200' } });
    let sessionStartedAt = 0;
    const sessionEnds: number[] = [];
    const refreshTimes: number[] = [];
    let lastRefreshCount = 0;
    for (let t = 0; t <= 8 * 3600; t += 30) {
      at(t);
      // The dashboard: five panels poll in parallel every 30 s.
      const results = await Promise.all(
        Array.from({ length: 5 }, async () => outcome(await dashboardRequest(s, browser))),
      );
      if (results.every((r) => r === '200')) {
        const { refreshCount } = await unsealSessionCookie(s, browser);
        if (refreshCount !== lastRefreshCount) refreshTimes.push(t - sessionStartedAt);
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
    // 840 s = 14 min: 60 s before each 15-minute access token expires; 8 refreshes per 2-hour session.
    expect(refreshTimes.slice(0, 8)).toEqual([840, 1680, 2520, 3360, 4200, 5040, 5880, 6720]);
    const stats = await tokenStats(s);
    expect(stats.tokenRequests.refresh_token).toBe(32);
    expect(stats.refreshTokenReuse).toBe(0);
    expect(stats.revokedGrants).toBe(0);
    expect(s.audit.filter((line) => line.event === 'session_ended')).toHaveLength(4);
  }, 180_000);
});

describe("the seed's 60-minute logout, reproduced and explained", () => {
  it('ends at exactly 60 minutes when the absolute lifetime is 3600 s, and the audit line says why', async () => {
    const { stack: s, browser } = await signedIn({
      platformEnv: { AUTH_REFRESH_TOKEN_ABSOLUTE_TTL: '3600' },
      bffEnv: { SESSION_ABSOLUTE_LIFETIME: '3600' },
    });
    for (let t = 30; t < 3600; t += 30) {
      at(t);
      expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
    }
    at(3600);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('401 session_expired');
    expect(s.audit.filter((line) => line.event === 'session_ended')).toEqual([
      expect.objectContaining({ reason: 'refresh_token_lifetime_ended', lifetimeSeconds: 3600 }),
    ]);
    expect((await tokenStats(s)).refreshTokenReuse).toBe(0);
  });

  it('without the lifetime configured, learns it from invalid_grant at the first refresh after 60 minutes', async () => {
    const { stack: s, browser } = await signedIn({
      platformEnv: { AUTH_REFRESH_TOKEN_ABSOLUTE_TTL: '3600' },
    });
    for (const t of [840, 1680, 2520, 3360, 3600, 4170]) {
      at(t);
      expect(await outcome(await dashboardRequest(s, browser))).toBe('200'); // the last access token still serves
    }
    at(4200);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('401 session_expired');
    expect(s.audit).toContainEqual(
      expect.objectContaining({
        event: 'refresh_failed',
        failure: 'invalid_grant',
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

describe('exactly one refresh per refresh token', () => {
  it('sends one refresh_token grant for 200 concurrent requests across the expiry, all succeed, one new session', async () => {
    const { stack: s, browser } = await signedIn();
    await fetch(`${s.platform.issuer}/dev/stats`, { method: 'DELETE' });
    at(841);
    const responses = await Promise.all(Array.from({ length: 200 }, () => dashboardRequest(s, browser)));
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    const stats = await tokenStats(s);
    expect(stats.tokenRequests).toEqual({ refresh_token: 1 });
    expect(stats.refreshTokenReuse).toBe(0);
    // Every response carries the new session, and it is the same session.
    const sessions = new Set<string>();
    for (const response of responses) {
      const line = response.headers.getSetCookie().find((l) => l.startsWith('__Host-bff_session='));
      expect(line).toBeDefined();
      const jar = new CookieJarClient();
      jar.cookies(new URL(s.appUrl).host).set('__Host-bff_session', line?.split(';')[0]?.split('=')[1] ?? '');
      const session = await unsealSessionCookie(s, jar);
      sessions.add(`${session.refreshCount}:${session.accessToken}`);
    }
    expect(sessions.size).toBe(1);
    expect([...sessions][0]).toMatch(/^1:/);
  });

  it('sets no cookie when nothing changed', async () => {
    const { stack: s, browser } = await signedIn();
    at(100);
    const response = await dashboardRequest(s, browser);
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('gives a request with the previous cookie the new session within the grace window, without an IdP call', async () => {
    const { stack: s, browser } = await signedIn();
    const stale = browser.copy();
    at(841);
    await dashboardRequest(s, browser);
    at(841 + 119);
    const late = await dashboardRequest(s, stale);
    expect(late.status).toBe(200);
    expect(late.headers.getSetCookie().some((l) => l.startsWith('__Host-bff_session='))).toBe(true);
    expect((await tokenStats(s)).tokenRequests.refresh_token).toBe(1);
  });

  it('never replays a rotated refresh token from a stale cookie after the grace window; audits it', async () => {
    const { stack: s, browser } = await signedIn();
    const stale = browser.copy();
    at(841);
    await dashboardRequest(s, browser);
    at(841 + 121);
    expect(await outcome(await dashboardRequest(s, stale))).toBe('401 session_expired');
    const stats = await tokenStats(s);
    expect(stats.tokenRequests.refresh_token).toBe(1); // no call to the authorization server
    expect(stats.refreshTokenReuse).toBe(0);
    expect(s.audit).toContainEqual(
      expect.objectContaining({ event: 'stale_refresh_token', sub: 'usr-operator-0001' }),
    );
    // The real user, with the current cookie, carries on.
    expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
  });
});

describe('identity provider outages never sign anybody out', () => {
  it('serves with the valid token while the IdP is down, then 503 with Retry-After, then recovers', async () => {
    const { stack: s, browser } = await signedIn({ bffEnv: { REFRESH_BUDGET_MS: '400' } });
    s.platform.authFaults.set('down');
    at(850); // refresh due, token still valid for 50 s
    const during = await dashboardRequest(s, browser);
    expect(during.status).toBe(200);
    expect(during.headers.getSetCookie()).toEqual([]);
    at(901); // token expired
    const expired = await dashboardRequest(s, browser);
    expect(expired.status).toBe(503);
    expect(expired.headers.get('retry-after')).toBe('5');
    expect((await expired.json()).error).toBe('idp_unavailable');
    expect(expired.headers.getSetCookie()).toEqual([]); // the session is kept
    expect(s.audit).toContainEqual(
      expect.objectContaining({ event: 'refresh_failed', failure: 'transient' }),
    );

    s.platform.authFaults.set('ok');
    at(960);
    const recovered = await dashboardRequest(s, browser);
    expect(recovered.status).toBe(200);
    expect((await unsealSessionCookie(s, browser)).refreshCount).toBe(1);
    expect((await tokenStats(s)).refreshTokenReuse).toBe(0);
  });

  it('treats dropped connections the same way', async () => {
    const { stack: s, browser } = await signedIn({ bffEnv: { REFRESH_BUDGET_MS: '400' } });
    s.platform.authFaults.set('reset');
    at(901);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('503 idp_unavailable');
    s.platform.authFaults.set('ok');
    expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
  });

  it('bounds latency with a slow IdP, and lets the slow refresh finish for the next request', async () => {
    const { stack: s, browser } = await signedIn({ bffEnv: { REFRESH_BUDGET_MS: '500' } });
    s.platform.authFaults.set('slow', 1500);
    at(850);
    const started = performance.now();
    const response = await dashboardRequest(s, browser);
    const latency = performance.now() - started;
    expect(response.status).toBe(200);
    expect(latency).toBeLessThan(1400);
    s.platform.authFaults.set('ok');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the refresh completes in the background
    const next = await dashboardRequest(s, browser);
    expect(next.status).toBe(200);
    expect(next.headers.getSetCookie().some((l) => l.startsWith('__Host-bff_session='))).toBe(true);
    const stats = await tokenStats(s);
    expect(stats.tokenRequests.refresh_token).toBe(1);
    expect(stats.refreshTokenReuse).toBe(0);
  });

  it('keeps sessions and answers 503 when the IdP rejects our client (a configuration fault)', async () => {
    let breakClientAuthentication = false;
    // Simulates a rotated-away client secret: the token endpoint then answers 401 invalid_client.
    const fetchWithClientSecret: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (breakClientAuthentication && url.endsWith('/token')) {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Basic ${btoa('iot-bff:a-secret-that-was-rotated-away')}`);
        return fetch(input, { ...init, headers });
      }
      return fetch(input, init);
    };
    const { stack: s, browser } = await signedIn({ deps: { fetch: fetchWithClientSecret } });
    breakClientAuthentication = true;
    at(850);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
    expect(s.audit).toContainEqual(
      expect.objectContaining({ event: 'refresh_failed', failure: 'invalid_client' }),
    );
    at(901);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('503 idp_unavailable');
    expect(browser.cookies(new URL(s.appUrl).host).has('__Host-bff_session')).toBe(true);
    breakClientAuthentication = false;
    expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
  });
});

describe('several BFF instances sharing a coordination store', () => {
  it('still refresh exactly once when requests race across instances', async () => {
    const { MemoryCoordinationStore } = await import('../coordination/coordination-store.ts');
    const { listen } = await import('../../lib/http-server.ts');
    const { startBff } = await import('../server.ts');
    const store = new MemoryCoordinationStore();
    const { stack: s, browser } = await signedIn({ deps: { store } });
    const bound = await listen('127.0.0.1', 0);
    const secondUrl = `http://127.0.0.1:${bound.port}`;
    const second = await startBff(
      { ...s.config, appUrl: secondUrl, appOrigin: secondUrl },
      {
        store,
        cookieSecrets: s.cookieSecrets,
        audit: { record: (event, fields = {}) => s.audit.push({ event, ...fields }) },
      },
      bound,
    );
    try {
      const cookie = browser.cookieHeader(new URL(s.appUrl));
      await fetch(`${s.platform.issuer}/dev/stats`, { method: 'DELETE' });
      at(841);
      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          fetch(`${i % 2 ? secondUrl : s.appUrl}/api/devices?limit=1`, {
            headers: { ...csrfHeaders, cookie },
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
      const stats = await tokenStats(s);
      expect(stats.tokenRequests).toEqual({ refresh_token: 1 });
      expect(stats.refreshTokenReuse).toBe(0);
      expect(s.audit.filter((line) => line.event === 'refresh')).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
