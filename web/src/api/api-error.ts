// The one error type every BFF and device-API call rejects with: the stable `code` to branch on, the
// HTTP `status`, and the server's `Retry-After` so retries can wait exactly as long as asked.

/** Where a failed call went: the BFF's own routes or the device API behind the proxy. */
export type ApiErrorSource = 'bff' | 'api';

export interface ApiErrorInit {
  status: number;
  code: string;
  message: string;
  source: ApiErrorSource;
  retryAfterMs?: number | undefined;
}

export class ApiError extends Error {
  /** HTTP status; 0 when no answer arrived (network failure). */
  readonly status: number;
  /** The body's `error` code (`session_expired`, `idp_unavailable`, `not_found`, …). */
  readonly code: string;
  readonly source: ApiErrorSource;
  readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.source = init.source;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;

/** True for `error` having exactly this stable code. */
export function hasCode(error: unknown, code: string): error is ApiError {
  return isApiError(error) && error.code === code;
}

const ERROR_CODE_SHAPE = /^[a-z][a-z0-9_]{0,63}$/;

/** The code used when a body carries none: answers from something other than the BFF or API. */
export function fallbackCode(status: number): string {
  if (status === 502 || status === 504) return 'upstream_unavailable';
  if (status === 401) return 'unauthenticated';
  if (status >= 500) return 'server_error';
  return `http_${status}`;
}

/** Reads `{ error, message }`; anything else (HTML from a proxy, empty body) falls back by status. */
export function parseErrorBody(
  status: number,
  body: unknown,
  statusText = '',
): { code: string; message: string } {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code =
    typeof record.error === 'string' && ERROR_CODE_SHAPE.test(record.error)
      ? record.error
      : fallbackCode(status);
  const message =
    typeof record.message === 'string' && record.message.trim() !== ''
      ? record.message
      : statusText || `Request failed with status ${status}`;
  return { code, message };
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110 section 10.2.3).
 * Undefined when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (trimmed === '' || !/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
