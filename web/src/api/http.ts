import { ApiError, type ApiErrorSource, parseErrorBody, parseRetryAfter } from './api-error.ts';

// The single fetch wrapper behind every hook: same origin only, always `X-CSRF: 1` (the BFF refuses
// any /bff or /api call without it), JSON in and out (or a file, or an event stream), failures turned
// into ApiError.

export interface RequestOptions {
  method?: 'GET' | 'POST';
  /** Serialised as JSON. */
  body?: unknown;
  signal?: AbortSignal | undefined;
}

function sourceOf(path: string): ApiErrorSource {
  return path.startsWith('/api/') ? 'api' : 'bff';
}

/**
 * Sends a same-origin call with `X-CSRF: 1` and returns the response when it is 2xx; anything else
 * rejects with an ApiError (an abort passes through untouched).
 */
async function send(
  path: string,
  options: RequestOptions & { accept: string; headers?: Record<string, string> },
): Promise<Response> {
  if (!path.startsWith('/bff/') && !path.startsWith('/api/')) {
    throw new TypeError(`request: only /bff/ and /api/ paths on this origin, got ${path}`);
  }
  const headers: Record<string, string> = { 'X-CSRF': '1', Accept: options.accept, ...options.headers };
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
  if (!response.ok) {
    const { code, message } = parseErrorBody(response.status, await readJson(response), response.statusText);
    throw new ApiError({
      status: response.status,
      code,
      message,
      source: sourceOf(path),
      retryAfterMs: parseRetryAfter(response.headers.get('Retry-After')),
    });
  }
  return response;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, { ...options, accept: 'application/json' });
  const body: unknown = await readJson(response);
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

/** A file (a job's result): its bytes and the name from `Content-Disposition`, when there is one. */
export async function requestFile(
  path: string,
  options: Pick<RequestOptions, 'signal'> = {},
): Promise<{ blob: Blob; filename: string | undefined }> {
  const response = await send(path, { ...options, accept: '*/*' });
  return {
    blob: await response.blob(),
    filename: filenameOf(response.headers.get('Content-Disposition')),
  };
}

/**
 * Opens a `text/event-stream` (with `X-CSRF: 1`, which `EventSource` cannot send) and returns its
 * body; `Last-Event-ID` lets the server replay what a dropped connection missed, if it keeps any.
 */
export async function openEventStream(
  path: string,
  options: { signal: AbortSignal; lastEventId?: string | undefined },
): Promise<ReadableStream<Uint8Array>> {
  const headers: Record<string, string> = {};
  if (options.lastEventId) headers['Last-Event-ID'] = options.lastEventId;
  const response = await send(path, { signal: options.signal, accept: 'text/event-stream', headers });
  if (!response.body) {
    throw new ApiError({
      status: response.status,
      code: 'invalid_response',
      message: 'The event stream has no body',
      source: sourceOf(path),
    });
  }
  return response.body;
}

/** `filename*=UTF-8''…` (RFC 6266) first, else `filename="…"`; only the last path segment. */
export function filenameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  let name: string | undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (extended?.[1]) {
    try {
      name = decodeURIComponent(extended[1].trim());
    } catch {
      name = undefined;
    }
  }
  name ??=
    /filename\s*=\s*"([^"]*)"/.exec(disposition)?.[1] ?? /filename\s*=\s*([^;\s]+)/.exec(disposition)?.[1];
  const base = name?.split(/[\\/]/).pop()?.trim();
  return base ? base : undefined;
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
