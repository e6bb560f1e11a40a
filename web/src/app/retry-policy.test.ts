import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.ts';
import { retryDelay, shouldRetry } from './retry-policy.ts';

const error = (status: number, code: string, retryAfterMs?: number) =>
  new ApiError({ status, code, message: code, source: 'api', retryAfterMs });

describe('retry policy', () => {
  it('never retries a 401 (the session logic handles it) or other client errors', () => {
    for (const e of [
      error(401, 'session_expired'),
      error(401, 'unauthenticated'),
      error(403, 'insufficient_scope'),
      error(404, 'not_found'),
      error(409, 'device_offline'),
    ]) {
      expect(shouldRetry(0, e)).toBe(false);
    }
  });

  it('keeps retrying while the identity provider is down, at the pace of Retry-After', () => {
    const outage = error(503, 'idp_unavailable', 5_000);
    expect(shouldRetry(0, outage)).toBe(true);
    expect(shouldRetry(50, outage)).toBe(true);
    expect(retryDelay(1, outage)).toBe(5_000);
    expect(retryDelay(7, outage)).toBe(5_000);
  });

  it('bounds a Retry-After to between 1 and 60 seconds', () => {
    expect(retryDelay(1, error(503, 'idp_unavailable', 0))).toBe(1_000);
    expect(retryDelay(1, error(503, 'idp_unavailable', 3_600_000))).toBe(60_000);
  });

  it('retries 502/504 and network failures twice with growing delays', () => {
    const gateway = error(502, 'upstream_unavailable');
    expect(shouldRetry(0, gateway)).toBe(true);
    expect(shouldRetry(1, gateway)).toBe(true);
    expect(shouldRetry(2, gateway)).toBe(false);
    expect(shouldRetry(2, error(0, 'network_error'))).toBe(false);
    expect(retryDelay(1, gateway)).toBe(1_000);
    expect(retryDelay(2, gateway)).toBe(2_000);
    expect(retryDelay(20, gateway)).toBe(30_000);
  });
});
