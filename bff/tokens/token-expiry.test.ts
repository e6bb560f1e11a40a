import { describe, expect, it } from 'vitest';
import { loadBffConfig } from '../config.ts';
import { estimateAccessTokenExpiry, renewalTiming } from './token-expiry.ts';

const sentAt = Date.parse('2026-03-02T06:00:00Z');
const rules = {
  scopeLifetimes: { offline: Number.POSITIVE_INFINITY, 'devices:read': 600, 'jobs:run': 120 },
  providerDefaultSeconds: 1800,
  consumerDefaultSeconds: 300,
};

describe('access token validity estimate, first source present wins', () => {
  it('1. expires_in, counted from the clock reading taken before the request was sent', () => {
    expect(estimateAccessTokenExpiry({ expires_in: 900, scope: 'devices:read' }, sentAt, rules)).toEqual({
      expiresAt: sentAt + 900_000,
      source: 'expires_in',
    });
    expect(estimateAccessTokenExpiry({ expires_in: 0 }, sentAt, rules).expiresAt).toBe(sentAt);
  });

  it('2. a configured scope rule; with several, the shortest', () => {
    expect(estimateAccessTokenExpiry({ scope: 'devices:read' }, sentAt, rules)).toEqual({
      expiresAt: sentAt + 600_000,
      source: 'scope_rule',
    });
    expect(estimateAccessTokenExpiry({ scope: 'devices:read jobs:run' }, sentAt, rules).expiresAt).toBe(
      sentAt + 120_000,
    );
    expect(estimateAccessTokenExpiry({ scope: 'offline' }, sentAt, rules).expiresAt).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it('3. the provider default', () => {
    expect(estimateAccessTokenExpiry({ scope: 'profile' }, sentAt, rules)).toEqual({
      expiresAt: sentAt + 1_800_000,
      source: 'provider_default',
    });
  });

  it('4. the consumer default', () => {
    expect(
      estimateAccessTokenExpiry({}, sentAt, {
        scopeLifetimes: {},
        providerDefaultSeconds: undefined,
        consumerDefaultSeconds: 300,
      }),
    ).toEqual({ expiresAt: sentAt + 300_000, source: 'consumer_default' });
  });

  it('ignores a malformed expires_in', () => {
    expect(estimateAccessTokenExpiry({ expires_in: -5 }, sentAt, rules).source).toBe('provider_default');
    expect(estimateAccessTokenExpiry({ expires_in: Number.NaN }, sentAt, rules).source).toBe(
      'provider_default',
    );
  });

  it('reads the rules from the environment', () => {
    const config = loadBffConfig({
      TOKEN_SCOPE_LIFETIMES: 'offline=infinite, devices:read=600',
      TOKEN_PROVIDER_DEFAULT_LIFETIME: '1800',
      TOKEN_CONSUMER_DEFAULT_LIFETIME: '120',
    });
    expect(config.expiryRules).toEqual({
      scopeLifetimes: { offline: Number.POSITIVE_INFINITY, 'devices:read': 600 },
      providerDefaultSeconds: 1800,
      consumerDefaultSeconds: 120,
    });
    expect(() => loadBffConfig({ TOKEN_SCOPE_LIFETIMES: 'offline=forever' })).toThrow(
      'TOKEN_SCOPE_LIFETIMES',
    );
  });
});

describe('session end estimate', () => {
  it('takes the earlier of the configured absolute lifetime and a lifetime the provider states', async () => {
    const { estimateSessionExpiry } = await import('./token-expiry.ts');
    const base = { signedInAt: sentAt, requestStartedAt: sentAt + 60_000 };
    expect(
      estimateSessionExpiry({ ...base, absoluteLifetimeSeconds: undefined, response: {} }),
    ).toBeUndefined();
    expect(estimateSessionExpiry({ ...base, absoluteLifetimeSeconds: 7200, response: {} })).toBe(
      sentAt + 7_200_000,
    );
    expect(
      estimateSessionExpiry({
        ...base,
        absoluteLifetimeSeconds: 7200,
        response: { refresh_expires_in: 1800 },
      }),
    ).toBe(sentAt + 60_000 + 1_800_000);
    expect(
      estimateSessionExpiry({
        ...base,
        absoluteLifetimeSeconds: undefined,
        response: { refresh_token_expires_in: 86_400 },
      }),
    ).toBe(sentAt + 60_000 + 86_400_000);
  });
});

describe('when to renew a token', () => {
  const timing = (remainingS: number, lifetimeS: number) => {
    const now = 1_000_000_000;
    const expiresAt = now + remainingS * 1000;
    return renewalTiming({
      expiresAt,
      obtainedAt: expiresAt - lifetimeS * 1000,
      now,
      leewayMs: 60_000,
      safetyMarginMs: 10_000,
    });
  };

  it('renews 60 s early in the background and waits only inside the last 10 s (15-minute tokens)', () => {
    expect(timing(61, 900)).toEqual({ due: false, mustWait: false });
    expect(timing(60, 900)).toEqual({ due: true, mustWait: false });
    expect(timing(10, 900)).toEqual({ due: true, mustWait: true });
  });

  it('caps the leeway at half a short token lifetime, and the margin at half the leeway', () => {
    expect(timing(31, 60)).toEqual({ due: false, mustWait: false });
    expect(timing(30, 60)).toEqual({ due: true, mustWait: false });
    expect(timing(10, 60)).toEqual({ due: true, mustWait: true });
    expect(timing(6, 20)).toEqual({ due: true, mustWait: false }); // leeway 10 s, margin 5 s
    expect(timing(5, 20)).toEqual({ due: true, mustWait: true });
  });
});
