import { describe, expect, it, vi } from 'vitest';
import {
  CookieJarClient,
  csrfHeaders,
  fetchWithoutExpiresIn,
  PLATFORM_PROFILES,
  type PlatformProfile,
  unsealSessionCookie,
} from '../test-support.ts';

import {
  at,
  auditOf,
  dashboardRequest,
  disposeStacksAfterEach,
  outcome,
  platformStats,
  refreshErrors,
  refreshGrants,
  sessionCookieSet,
  signedIn,
} from './lifecycle-test-support.ts';

disposeStacksAfterEach();

/** A fetch for the BFF that counts its calls to the token endpoint (the fault switch answers some). */
function countingTokenCalls() {
  const counter = {
    calls: 0,
    fetch: ((input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith('/token')) counter.calls += 1;
      return fetch(input, init);
    }) as typeof fetch,
  };
  return counter;
}

/** The provider's code for a dead refresh token: strict says invalid_grant, lenient invalid_request. */
const deadTokenError: Record<PlatformProfile, string> = {
  strict: 'invalid_grant',
  lenient: 'invalid_request',
};

describe.each(PLATFORM_PROFILES)('refresh ahead, never wait (%s platform)', (profile) => {
  it('serves the request that finds the token due at once, refreshes in the background, hands the result to the next one', async () => {
    const { stack: s, browser } = await signedIn({ profile });
    at(841); // 59 s left: inside the 60 s leeway, outside the 10 s safety margin
    const first = await dashboardRequest(s, browser);
    expect(first.status).toBe(200);
    expect(sessionCookieSet(first)).toBe(false); // served with the current token
    await s.settled();
    expect(refreshGrants(s)).toBe(1);
    at(842);
    const next = await dashboardRequest(s, browser);
    expect(next.status).toBe(200);
    expect(sessionCookieSet(next)).toBe(true);
    expect((await unsealSessionCookie(s, browser)).refreshCount).toBe(1);
    expect(refreshGrants(s)).toBe(1);
    expect(platformStats(s).refreshTokenReuse).toBe(0);
  });

  it('answers while the refresh is still running when the IdP is slow', async () => {
    const { stack: s, browser } = await signedIn({ profile });
    s.platform.authFaults.set('slow', 1500);
    at(850);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
    expect(refreshGrants(s)).toBe(0); // the refresh had not even been answered yet
    await s.settled();
    expect(refreshGrants(s)).toBe(1);
    at(851);
    const next = await dashboardRequest(s, browser);
    expect(sessionCookieSet(next)).toBe(true);
  });

  it('serves with the valid token when the IdP is down, and the circuit spares the IdP further calls', async () => {
    const tokenCalls = countingTokenCalls();
    const { stack: s, browser } = await signedIn({ profile, deps: { fetch: tokenCalls.fetch } });
    s.platform.authFaults.set('down');
    at(850);
    const during = await dashboardRequest(s, browser);
    expect(during.status).toBe(200);
    expect(during.headers.getSetCookie()).toEqual([]);
    await s.settled();
    expect(auditOf(s, 'refresh_failed')).toEqual([expect.objectContaining({ failure: 'transient' })]);
    // Within the circuit's pause, requests with a still-valid token are served without a new attempt.
    const callsBefore = tokenCalls.calls;
    expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
    await s.settled();
    expect(tokenCalls.calls).toBe(callsBefore);
  });

  it('with the token expired and the IdP down: 503 with Retry-After, then answers at once without calling the IdP, then recovers', async () => {
    const tokenCalls = countingTokenCalls();
    const { stack: s, browser } = await signedIn({
      profile,
      bffEnv: { REFRESH_BUDGET_MS: '400' },
      deps: { fetch: tokenCalls.fetch },
    });
    s.platform.authFaults.set('down');
    at(901);
    const first = await dashboardRequest(s, browser);
    expect(await outcome(first)).toBe('503 idp_unavailable');
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(first.headers.getSetCookie()).toEqual([]); // the session is kept
    await s.settled();
    const callsAfterFirst = tokenCalls.calls;
    expect(callsAfterFirst).toBeGreaterThanOrEqual(1);

    const again = await Promise.all(Array.from({ length: 20 }, () => dashboardRequest(s, browser)));
    for (const response of again) {
      expect(await outcome(response)).toBe('503 idp_unavailable');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(tokenCalls.calls).toBe(callsAfterFirst); // the circuit answered; the IdP saw nothing

    s.platform.authFaults.set('ok');
    at(901 + 60); // past any pause the circuit took
    expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
    expect((await unsealSessionCookie(s, browser)).refreshCount).toBe(1);
    expect(refreshGrants(s)).toBe(1);
    expect(platformStats(s).refreshTokenReuse).toBe(0);
  });

  it('treats dropped connections as transient too', async () => {
    const { stack: s, browser } = await signedIn({ profile, bffEnv: { REFRESH_BUDGET_MS: '400' } });
    s.platform.authFaults.set('reset');
    at(901);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('503 idp_unavailable');
    s.platform.authFaults.set('ok');
    at(961);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
  });
});

describe.each(PLATFORM_PROFILES)('exactly one refresh per refresh result (%s platform)', (profile) => {
  it('sends one refresh_token grant for 200 concurrent requests with an expired token, all succeed, one new session', async () => {
    const { stack: s, browser } = await signedIn({ profile });
    at(901);
    const responses = await Promise.all(Array.from({ length: 200 }, () => dashboardRequest(s, browser)));
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(platformStats(s).tokenRequests).toEqual({ refresh_token: 1 });
    expect(platformStats(s).refreshTokenReuse).toBe(0);
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

  it('starts one background refresh for 200 concurrent requests inside the leeway', async () => {
    const { stack: s, browser } = await signedIn({ profile });
    at(845);
    const responses = await Promise.all(Array.from({ length: 200 }, () => dashboardRequest(s, browser)));
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    await s.settled();
    expect(platformStats(s).tokenRequests).toEqual({ refresh_token: 1 });
  });

  it('sets no cookie when nothing changed', async () => {
    const { stack: s, browser } = await signedIn({ profile });
    at(100);
    const response = await dashboardRequest(s, browser);
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('gives a request with the previous cookie the new session within the grace window, without an IdP call', async () => {
    const { stack: s, browser } = await signedIn({ profile });
    const stale = browser.copy();
    at(901);
    expect(sessionCookieSet(await dashboardRequest(s, browser))).toBe(true);
    at(901 + 119);
    const late = await dashboardRequest(s, stale);
    expect(late.status).toBe(200);
    expect(sessionCookieSet(late)).toBe(true);
    expect(refreshGrants(s)).toBe(1);
  });

  it('keeps a background result until the browser collects it: a tab back after ten idle minutes carries on', async () => {
    const { stack: s, browser } = await signedIn({ profile });
    at(841);
    expect(sessionCookieSet(await dashboardRequest(s, browser))).toBe(false);
    await s.settled();
    at(841 + 600); // far past the 120 s grace window; the new token is still good
    const back = await dashboardRequest(s, browser);
    expect(back.status).toBe(200);
    expect(sessionCookieSet(back)).toBe(true);
    expect(refreshGrants(s)).toBe(1);
    expect(platformStats(s).refreshTokenReuse).toBe(0);
  });

  it('never answers a forced refresh with the token the API just rejected (60 s tokens, no expires_in)', async () => {
    // Without expires_in the BFF assumes an hour; the API rejects each token after 60 s, so every
    // minute the reactive path runs: 401 invalid_token, a forced refresh, one retry with the new token.
    const { stack: s, browser } = await signedIn({
      profile,
      platformEnv: { AUTH_ACCESS_TOKEN_TTL: '60' },
      bffEnv: { TOKEN_CONSUMER_DEFAULT_LIFETIME: '3600' },
      deps: { fetch: fetchWithoutExpiresIn },
    });
    s.platform.apiStats.reset();
    // The API allows 5 s of clock skew: each token is refused from 66 s after it was issued.
    for (const [index, t] of [66, 132, 198].entries()) {
      at(t);
      expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
      expect(refreshGrants(s)).toBe(index + 1);
      expect(s.platform.apiStats.current.rejected.expired).toBe(index + 1); // once per expiry, never twice
    }
    expect(platformStats(s).refreshTokenReuse).toBe(0);
  });
});

describe.each(PLATFORM_PROFILES)('what a failed refresh means (%s platform)', (profile) => {
  it(`ends the session on the provider's answer for a dead refresh token (${deadTokenError[profile]}) and never asks again`, async () => {
    const { stack: s, browser } = await signedIn({ profile });
    const copy = browser.copy();
    const another = browser.copy();
    at(1801); // refresh token idle for 30 minutes: dead at the provider
    const response = await dashboardRequest(s, browser);
    expect(await outcome(response)).toBe('401 session_expired');
    expect(browser.cookies(new URL(s.appUrl).host).has('__Host-bff_session')).toBe(false);
    expect(auditOf(s, 'refresh_failed')).toEqual([
      expect.objectContaining({
        failure: 'grant_rejected',
        oauthError: deadTokenError[profile],
      }),
    ]);
    expect(auditOf(s, 'session_ended')).toEqual([
      expect.objectContaining({ reason: 'refresh_token_rejected', oauthError: deadTokenError[profile] }),
    ]);
    // A copy of the cookie is refused without another call to the provider; so is /bff/session.
    expect(await outcome(await dashboardRequest(s, copy))).toBe('401 session_expired');
    const session = await another.fetch(`${s.appUrl}/bff/session`, { headers: csrfHeaders });
    expect(await outcome(session)).toBe('401 session_expired');
    expect(refreshErrors(s)).toBe(1);
  });

  it('keeps sessions and answers 503 when the IdP rejects our client: logged once, no IdP call per request', async () => {
    let breakClientAuthentication = false;
    // Simulates a rotated-away client secret, in the header (basic) or the form (post).
    const withWrongSecret: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!breakClientAuthentication || !url.endsWith('/token')) return fetch(input, init);
      const headers = new Headers(init?.headers);
      if (headers.has('authorization')) {
        headers.set('authorization', `Basic ${btoa('iot-bff:a-secret-that-was-rotated-away')}`);
      }
      const body = new URLSearchParams(String(init?.body ?? ''));
      if (body.has('client_secret')) body.set('client_secret', 'a-secret-that-was-rotated-away');
      return fetch(input, { ...init, headers, body });
    };
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { stack: s, browser } = await signedIn({ profile, deps: { fetch: withWrongSecret } });
    breakClientAuthentication = true;
    at(901);
    for (let i = 0; i < 6; i++)
      expect(await outcome(await dashboardRequest(s, browser))).toBe('503 idp_unavailable');
    expect(auditOf(s, 'refresh_failed')).toEqual([expect.objectContaining({ failure: 'client_rejected' })]);
    expect(refreshErrors(s)).toBe(1);
    expect(errors.mock.calls.filter(([line]) => String(line).includes('"config_error"'))).toHaveLength(1);
    expect(browser.cookies(new URL(s.appUrl).host).has('__Host-bff_session')).toBe(true);

    breakClientAuthentication = false;
    at(901 + 31);
    expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
  });
});

describe('stale cookies after the grace window', () => {
  it('strict: never replays a rotated refresh token; 401 session_expired on /api and /bff/session; audited', async () => {
    const { stack: s, browser } = await signedIn({ profile: 'strict' });
    const stale = browser.copy();
    const staleTab = browser.copy();
    at(901);
    await dashboardRequest(s, browser);
    at(901 + 121);
    expect(await outcome(await dashboardRequest(s, stale))).toBe('401 session_expired');
    const session = await staleTab.fetch(`${s.appUrl}/bff/session`, { headers: csrfHeaders });
    expect(await outcome(session)).toBe('401 session_expired');
    expect(refreshGrants(s)).toBe(1); // no call to the authorization server
    expect(platformStats(s).refreshTokenReuse).toBe(0);
    expect(auditOf(s, 'stale_refresh_token')[0]).toEqual(
      expect.objectContaining({ sub: 'usr-operator-0001' }),
    );
    // The real user, with the current cookie, carries on.
    expect(await outcome(await dashboardRequest(s, browser))).toBe('200');
  });

  it('lenient: the refresh token was not rotated, so the old cookie simply refreshes again', async () => {
    const { stack: s, browser } = await signedIn({ profile: 'lenient' });
    const stale = browser.copy();
    at(901);
    await dashboardRequest(s, browser);
    at(901 + 121);
    expect(await outcome(await dashboardRequest(s, stale))).toBe('200');
    expect(refreshGrants(s)).toBe(2);
  });
});
