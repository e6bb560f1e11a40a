import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The BFF's stable error codes. Clients and tests branch on `error`, never on
 * `message`, which is for people.
 */
export type BffErrorCode =
  | 'unauthenticated'
  | 'session_expired'
  | 'csrf_rejected'
  | 'idp_unavailable'
  | 'idp_misconfigured'
  | 'upstream_unavailable'
  | 'bad_request'
  | 'not_found'
  | 'payload_too_large'
  | 'insufficient_scope'
  | 'jobs_unavailable'
  | 'conflict'
  | 'server_error';

export class BffError extends Error {
  readonly code: BffErrorCode;
  readonly status: ContentfulStatusCode;
  readonly headers: Record<string, string>;

  constructor(
    code: BffErrorCode,
    status: ContentfulStatusCode,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'BffError';
    this.code = code;
    this.status = status;
    this.headers = headers;
  }
}

/**
 * Writes `{ error, message, requestId }` with `Cache-Control: no-store`. The request id (set by the
 * request-id middleware, also sent as `X-Request-Id`) ties what a user reports to the log lines.
 */
export function errorResponse(c: Context, error: BffError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  c.header('cache-control', 'no-store');
  return c.json({ error: error.code, message: error.message, requestId: c.get('requestId') }, error.status);
}
