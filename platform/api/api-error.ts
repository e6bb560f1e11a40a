// The one error shape of the API: `{ error: <stable code>, message: <for people> }` plus headers.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export function errorBody(code: string, message: string): { error: string; message: string } {
  return { error: code, message };
}

export function errorResponse(c: Context, error: ApiError): Response {
  return c.json(errorBody(error.code, error.message), error.status, { ...error.headers });
}

export function badQuery(message: string): ApiError {
  return new ApiError(400, 'invalid_query', message);
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'not_found', message);
}
