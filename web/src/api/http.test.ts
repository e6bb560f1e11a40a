import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, parseRetryAfter } from './api-error.ts';
import { filenameOf, openEventStream, request, requestFile } from './http.ts';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function mockFetch(response: Response | (() => Promise<Response>)) {
  const fetchMock = vi.fn(typeof response === 'function' ? response : async () => response);
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('request', () => {
  it('always sends X-CSRF: 1, same-origin credentials, and returns the parsed JSON', async () => {
    const fetchMock = mockFetch(json(200, { items: [1] }));
    await expect(request('/api/devices')).resolves.toEqual({ items: [1] });
    const [path, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe('/api/devices');
    expect(init.headers).toMatchObject({ 'X-CSRF': '1' });
    expect(init.credentials).toBe('same-origin');
    expect(init.method).toBe('GET');
  });

  it('sends a JSON body with its content type on POST', async () => {
    const fetchMock = mockFetch(json(202, { id: 'cmd-1' }));
    await request('/api/devices/dev-0001/commands', { method: 'POST', body: { type: 'reboot' } });
    const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.body).toBe('{"type":"reboot"}');
    expect(init.headers).toMatchObject({ 'X-CSRF': '1', 'Content-Type': 'application/json' });
  });

  it('refuses paths outside /bff and /api on this origin', async () => {
    mockFetch(json(200, {}));
    await expect(request('https://evil.example/api/x')).rejects.toThrow(TypeError);
    await expect(request('/somewhere')).rejects.toThrow(TypeError);
  });

  it.each([
    [401, 'session_expired'],
    [401, 'unauthenticated'],
    [403, 'csrf_rejected'],
    [409, 'device_offline'],
    [404, 'not_found'],
  ])('turns %i { error: %s } into an ApiError with that code and status', async (status, code) => {
    mockFetch(json(status, { error: code, message: 'for people' }));
    const error = await failure(request('/api/devices/dev-0001'));
    expect(error).toMatchObject({ status, code, message: 'for people', source: 'api' });
  });

  it('reads Retry-After (seconds) from 503 idp_unavailable', async () => {
    mockFetch(json(503, { error: 'idp_unavailable', message: 'later' }, { 'Retry-After': '7' }));
    const error = await failure(request('/api/alerts'));
    expect(error.code).toBe('idp_unavailable');
    expect(error.status).toBe(503);
    expect(error.retryAfterMs).toBe(7000);
  });

  it('marks BFF answers as such', async () => {
    mockFetch(json(401, { error: 'unauthenticated', message: 'no' }));
    expect((await failure(request('/bff/session'))).source).toBe('bff');
  });

  it('gives a 502 without a JSON body the code upstream_unavailable', async () => {
    mockFetch(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const error = await failure(request('/api/devices'));
    expect(error).toMatchObject({ status: 502, code: 'upstream_unavailable', message: 'Bad Gateway' });
  });

  it('ignores an error code that is not a code (never shown as one)', async () => {
    mockFetch(json(500, { error: '<img src=x>', message: 42 }));
    const error = await failure(request('/api/devices'));
    expect(error.code).toBe('server_error');
    expect(error.message).toContain('500');
  });

  it('reports a network failure as status 0, network_error', async () => {
    mockFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await failure(request('/api/devices'))).toMatchObject({ status: 0, code: 'network_error' });
  });

  it('passes an abort through untouched (a cancelled query is not an error to show)', async () => {
    mockFetch(async () => {
      throw new DOMException('aborted', 'AbortError');
    });
    await expect(request('/api/devices')).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a 200 that is not JSON', async () => {
    mockFetch(new Response('<!doctype html>', { status: 200 }));
    expect((await failure(request('/api/devices'))).code).toBe('invalid_response');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('30', now)).toBe(30_000);
  });
  it('reads an HTTP date, and a past one as 0', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Sun, 01 Jun 2025 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent and unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
});

describe('requestFile', () => {
  it('sends X-CSRF: 1 and returns the bytes with the name from Content-Disposition', async () => {
    const fetchMock = mockFetch(
      new Response('a,b\n1,2\n', {
        status: 200,
        headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="export.csv"' },
      }),
    );
    const { blob, filename } = await requestFile('/bff/jobs/job-1/result');
    expect(await blob.text()).toBe('a,b\n1,2\n');
    expect(filename).toBe('export.csv');
    const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.headers).toMatchObject({ 'X-CSRF': '1' });
  });

  it('turns a 404 into not_found like any other call', async () => {
    mockFetch(json(404, { error: 'not_found', message: 'This job has no result.', requestId: 'r' }));
    expect((await failure(requestFile('/bff/jobs/job-1/result'))).code).toBe('not_found');
  });
});

describe('filenameOf', () => {
  it('prefers filename*, falls back to filename, keeps only the last path segment', () => {
    expect(filenameOf('attachment; filename="x.csv"; filename*=UTF-8\'\'M%C3%BCller%20export.csv')).toBe(
      'Müller export.csv',
    );
    expect(filenameOf('attachment; filename=plain.csv')).toBe('plain.csv');
    expect(filenameOf('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(filenameOf('attachment')).toBeUndefined();
    expect(filenameOf(null)).toBeUndefined();
  });
});

describe('openEventStream', () => {
  it('asks for an event stream with X-CSRF: 1 and the last event id, and returns the body', async () => {
    const fetchMock = mockFetch(
      new Response('data: x\n\n', { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    );
    const body = await openEventStream('/bff/events', {
      signal: new AbortController().signal,
      lastEventId: '41',
    });
    expect(await new Response(body).text()).toBe('data: x\n\n');
    const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.headers).toEqual({ 'X-CSRF': '1', Accept: 'text/event-stream', 'Last-Event-ID': '41' });
  });

  it('rejects with the ApiError of a refused stream (401 stops the reconnection)', async () => {
    mockFetch(json(401, { error: 'session_expired', message: 'ended' }));
    const error = await failure(openEventStream('/bff/events', { signal: new AbortController().signal }));
    expect(error).toMatchObject({ status: 401, code: 'session_expired' });
  });
});
