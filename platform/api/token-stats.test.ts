import { describe, expect, it, vi } from 'vitest';
import type { TokenCheckOutcome } from './access-token.ts';
import { createTestApi, createTestKeys, T0 } from './test-support.ts';
import { TokenCheckCounter } from './token-stats.ts';

const T0_SECONDS = T0 / 1000;

describe('onTokenCheck', () => {
  async function outcomesOf(
    send: (api: Awaited<ReturnType<typeof createTestApi>>) => Response | Promise<Response>,
    options: Parameters<typeof createTestApi>[0] = {},
  ) {
    const outcomes: TokenCheckOutcome[] = [];
    const api = await createTestApi({ ...options, onTokenCheck: (outcome) => outcomes.push(outcome) });
    const response = await send(api);
    return { outcomes, status: response.status };
  }

  const withToken = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

  it.each<
    [
      string,
      TokenCheckOutcome,
      (api: Awaited<ReturnType<typeof createTestApi>>) => Response | Promise<Response>,
    ]
  >([
    ['a valid token', 'accepted', (api) => api.call('/devices')],
    ['no token', 'missing', (api) => api.app.request('/devices')],
    ['a malformed token', 'malformed', (api) => api.app.request('/devices', withToken('not-a-jwt'))],
    [
      'an expired token',
      'expired',
      async (api) =>
        api.app.request(
          '/devices',
          withToken(await api.keys.token(T0, { iat: T0_SECONDS - 1200, exp: T0_SECONDS - 300 })),
        ),
    ],
    [
      'a forged signature',
      'bad_signature',
      async (api) => api.app.request('/devices', withToken(await api.keys.token(T0, {}, 'stranger'))),
    ],
    ['an unknown key', 'unknown_key', (api) => api.call('/devices', { token: { kid: 'rotated-away' } })],
    [
      'another issuer',
      'wrong_issuer',
      (api) => api.call('/devices', { token: { iss: 'https://evil.example' } }),
    ],
    ['another audience', 'wrong_audience', (api) => api.call('/devices', { token: { aud: 'urn:other' } })],
    ['an ID token typ', 'wrong_type', (api) => api.call('/devices', { token: { typ: 'JWT' } })],
    [
      'no client_id',
      'missing_claim',
      (api) => api.call('/devices', { token: { extra: { client_id: undefined } } }),
    ],
    [
      'a future nbf',
      'not_yet_valid',
      (api) => api.call('/devices', { token: { extra: { nbf: T0_SECONDS + 600 } } }),
    ],
    [
      'a non-string scope',
      'invalid_claims',
      (api) => api.call('/devices', { token: { extra: { scope: ['x'] } } }),
    ],
    ['a missing scope', 'insufficient_scope', (api) => api.call('/devices', { token: { scope: 'openid' } })],
  ])('reports %s as %s, once', async (_, expected, send) => {
    const { outcomes } = await outcomesOf(send);
    expect(outcomes).toEqual([expected]);
  });

  it('reports an expired token in the facebook style as expired too', async () => {
    const { outcomes, status } = await outcomesOf(
      async (api) =>
        api.app.request(
          '/devices',
          withToken(await api.keys.token(T0, { iat: T0_SECONDS - 1200, exp: T0_SECONDS - 300 })),
        ),
      { expiredTokenStyle: 'facebook' },
    );
    expect(status).toBe(400);
    expect(outcomes).toEqual(['expired']);
  });

  it('reports an unreachable key set as keys_unavailable', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const keys = await createTestKeys();
    const { outcomes, status } = await outcomesOf(
      async (api) => api.app.request('/devices', withToken(await keys.token(T0))),
      {
        getKey: async () => {
          throw new TypeError('fetch failed');
        },
      },
    );
    logged.mockRestore();
    expect(status).toBe(503);
    expect(outcomes).toEqual(['keys_unavailable']);
  });

  it('reports nothing for routes without a token check', async () => {
    const { outcomes, status } = await outcomesOf((api) => api.app.request('/health'));
    expect(status).toBe(200);
    expect(outcomes).toEqual([]);
  });

  it('refuses a non-function with a TypeError naming it', async () => {
    await expect(createTestApi({ onTokenCheck: 'log' as never })).rejects.toThrow(/onTokenCheck/);
  });
});

describe('TokenCheckCounter', () => {
  it('counts outcomes, lists every reason with 0 by default, and resets', () => {
    const counter = new TokenCheckCounter();
    expect(counter.current.rejected.expired).toBe(0);
    for (const outcome of ['accepted', 'accepted', 'expired', 'missing'] as const) counter.record(outcome);
    expect(counter.current).toMatchObject({
      accepted: 2,
      rejected: { expired: 1, missing: 1, malformed: 0, insufficient_scope: 0 },
    });
    const snapshot = counter.current;
    counter.record('expired');
    expect(snapshot.rejected.expired).toBe(1); // a copy, not a live view
    counter.reset();
    expect(counter.current.accepted).toBe(0);
    expect(counter.current.rejected.expired).toBe(0);
  });
});
