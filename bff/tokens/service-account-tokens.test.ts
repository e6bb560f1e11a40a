import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../platform/test-support.ts';
import { createOidcClient } from '../app.ts';
import { loadBffConfig } from '../config.ts';
import { resolveProviderProfile } from '../providers/index.ts';
import { PLATFORM_PROFILES } from '../test-support.ts';
import { IdpCircuit } from './idp-circuit.ts';
import { ServiceAccountError, ServiceAccountTokens } from './service-account-tokens.ts';

// The service account against the real platform (client credentials of `iot-automation`), with time
// simulated by mocking Date only.
const T0 = Date.parse('2026-03-02T06:00:00Z');
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);

let platform: TestPlatform | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await platform?.dispose();
  platform = undefined;
});

async function serviceAccount(profile: 'strict' | 'lenient') {
  platform = await startTestPlatform({ AUTH_PROFILE: profile });
  const p = platform;
  const audit: Record<string, unknown>[] = [];
  let tokenCalls = 0;
  const config = loadBffConfig({ OIDC_ISSUER: p.issuer, API_UPSTREAM: p.apiUrl });
  const countingFetch: typeof fetch = (input, init) => {
    if (String(input instanceof Request ? input.url : input).endsWith('/token')) tokenCalls += 1;
    return fetch(input, init);
  };
  const tokens = new ServiceAccountTokens({
    oidc: createOidcClient(config, countingFetch),
    clientId: p.config.automationClient.id,
    clientSecret: p.config.automationClient.secret,
    profile: resolveProviderProfile('standard'),
    circuit: new IdpCircuit(),
    expiryRules: config.expiryRules,
    leewayMs: 60_000,
    safetyMarginMs: 10_000,
    scope: 'devices:read devices:command jobs:run',
    audit: { record: (event, fields = {}) => audit.push({ event, ...fields }) },
  });
  const grants = () => p.stats.current.tokenRequests.client_credentials ?? 0;
  const callApi = async (token: string) =>
    (await fetch(`${p.apiUrl}/devices?limit=1`, { headers: { authorization: `Bearer ${token}` } })).status;
  return { p, tokens, audit, grants, callApi, tokenCalls: () => tokenCalls };
}

describe.each(PLATFORM_PROFILES)('the service account (%s platform)', (profile) => {
  it('makes one token request however many steps ask at once, and the API accepts the token', async () => {
    const { tokens, grants, callApi } = await serviceAccount(profile);
    at(0);
    const all = await Promise.all(Array.from({ length: 100 }, () => tokens.getAccessToken()));
    expect(new Set(all).size).toBe(1);
    expect(grants()).toBe(1);
    expect(await callApi(all[0] ?? '')).toBe(200);
  });

  it('renews a minute before expiry without making a step wait, one token per lifetime over an hour', async () => {
    const { p, tokens, grants, callApi } = await serviceAccount(profile);
    p.apiStats.reset();
    at(0);
    const first = await tokens.getAccessToken();
    at(839);
    expect(await tokens.getAccessToken()).toBe(first);
    expect(grants()).toBe(1);
    at(841); // inside the minute: this step still gets the current token, a new one is on its way
    expect(await tokens.getAccessToken()).toBe(first);
    await vi.waitFor(() => expect(grants()).toBe(2));
    expect(await tokens.getAccessToken()).not.toBe(first);

    // An hour of a job's steps, one every 10 s: a token per 15-minute lifetime, never an expired one.
    for (let t = 850; t <= 3600; t += 10) {
      at(t);
      expect(await callApi(await tokens.getAccessToken())).toBe(200);
    }
    expect(grants()).toBe(5); // obtained at 0, 840, 1680, 2520 and 3360 s
    expect(p.apiStats.current.rejected.expired).toBe(0);
  });

  it('gets a new token when the API refused the current one (force)', async () => {
    const { tokens, grants } = await serviceAccount(profile);
    at(0);
    const first = await tokens.getAccessToken();
    const [a, b] = await Promise.all([
      tokens.getAccessToken({ force: true }),
      tokens.getAccessToken({ force: true }),
    ]);
    expect(a).not.toBe(first);
    expect(b).toBe(a);
    expect(grants()).toBe(2);
  });

  it('reports refused credentials as `credentials`, and works again once they are back', async () => {
    const { p, tokens, audit } = await serviceAccount(profile);
    p.authFaults.set('invalid_client', undefined, 'client_credentials');
    at(0);
    const error = await tokens.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceAccountError);
    expect((error as ServiceAccountError).code).toBe('credentials');
    expect(audit).toContainEqual(
      expect.objectContaining({ event: 'service_account_token_failed', failure: 'client_rejected' }),
    );
    p.authFaults.set('ok');
    expect(await tokens.getAccessToken()).toEqual(expect.any(String));
  });

  it('reports an unreachable provider as `idp_unavailable` with Retry-After, and does not ask again during the pause', async () => {
    const { p, tokens, tokenCalls } = await serviceAccount(profile);
    p.authFaults.set('down');
    at(0);
    const error = (await tokens.getAccessToken().catch((e: unknown) => e)) as ServiceAccountError;
    expect(error.code).toBe('idp_unavailable');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const calls = tokenCalls();
    await expect(tokens.getAccessToken()).rejects.toMatchObject({ code: 'idp_unavailable' });
    expect(tokenCalls()).toBe(calls);
    p.authFaults.set('ok');
    at(60);
    expect(await tokens.getAccessToken()).toEqual(expect.any(String));
  });
});
