import { ApiError, type ApiErrorSource, parseErrorBody, parseRetryAfter } from './api-error.ts';

// The single fetch wrapper behind every hook: same origin only, always `X-CSRF: 1` (the BFF refuses
// any /bff or /api call without it), JSON in and out, failures turned into ApiError.

export interface RequestOptions {
  method?: 'GET' | 'POST';
  /** Serialised as JSON. */
  body?: unknown;
  signal?: AbortSignal | undefined;
}

function sourceOf(path: string): ApiErrorSource {
  return path.startsWith('/api/') ? 'api' : 'bff';
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  if (!path.startsWith('/bff/') && !path.startsWith('/api/')) {
    throw new TypeError(`request: only /bff/ and /api/ paths on this origin, got ${path}`);
  }
  const headers: Record<string, string> = { 'X-CSRF': '1', Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal ?? null,
    });
  } catch (error) {
    // An abort is TanStack Query cancelling: pass it through untouched so it is not reported.
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({
      status: 0,
      code: 'network_error',
      message: 'The app server could not be reached',
      source: sourceOf(path),
    });
  }
  const body: unknown = await readJson(response);
  if (!response.ok) {
    const { code, message } = parseErrorBody(response.status, body, response.statusText);
    throw new ApiError({
      status: response.status,
      code,
      message,
      source: sourceOf(path),
      retryAfterMs: parseRetryAfter(response.headers.get('Retry-After')),
    });
  }
  if (body === undefined && response.status !== 204) {
    throw new ApiError({
      status: response.status,
      code: 'invalid_response',
      message: 'The server answered without the expected JSON',
      source: sourceOf(path),
    });
  }
  return body as T;
}

async function readJson(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
