import { isApiError } from '../api/api-error.ts';

// When a failed query is tried again, and after how long. Sign-in and client errors never are: a 401
// is handled by the session logic, and repeating a 4xx changes nothing. An identity provider outage
// (the session is kept) is retried for as long as it lasts, at the pace its Retry-After asks.

const MIN_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;

export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (!isApiError(error)) return failureCount < 2;
  if (error.code === 'idp_unavailable') return true;
  if (error.status === 0 || error.status === 502 || error.status === 504) return failureCount < 2;
  if (error.status === 429 || error.status === 503) return failureCount < 3;
  if (error.status >= 500) return failureCount < 1;
  return false;
}

export function retryDelay(failureCount: number, error: unknown): number {
  if (isApiError(error) && error.retryAfterMs !== undefined) {
    return Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, error.retryAfterMs));
  }
  return Math.min(30_000, MIN_DELAY_MS * 2 ** Math.max(0, failureCount - 1));
}
