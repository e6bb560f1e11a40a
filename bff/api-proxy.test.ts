import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CookieJarClient,
  csrfHeaders,
  fetchWithoutExpiresIn,
  signInThroughBff,
  startTestStack,
  type TestStack,
} from './test-support.ts';

const T0 = Date.parse('2026-03-02T06:00:00Z');
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);
const stats = async (s: TestStack) => (await fetch(`${s.platform.issuer}/dev/stats`)).json();

describe("the platform's development endpoints are out of the proxy's reach", () => {
  it('answers 404 for /api/dev/* and leaves the device API fault switch alone, even for a read-only user', async () => {
    const stack = await startTestStack();
    try {
      const browser = new CookieJarClient();
      await signInThroughBff(stack, browser, 'viewer');
      for (const path of [
        '/api/dev/faults',
        '/api/dev/stats',
        '/api/..%2Fdev/faults',
        '/api/%2e%2e/dev/faults',
      ]) {
        const response = await browser.fetch(`${stack.appUrl}${path}`, {
          method: 'POST',
          headers: { ...csrfHeaders, 'content-type': 'application/json' },
          body: JSON.stringify({ mode: 'down' }),
        });
        expect([400, 404]).toContain(response.status);
      }
      expect(stack.platform.apiFaults.state.mode).toBe('ok');
      expect(
        (await browser.fetch(`${stack.appUrl}/api/devices?limit=1`, { headers: csrfHeaders })).status,
      ).toBe(200);
    } finally {
      await stack.dispose();
    }
  });
});

describe('reactive refresh when the API says the token expired', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await stack?.dispose();
    stack = undefined;
  });

  async function signedIn(platformEnv: Record<string, string> = {}, bffEnv: Record<string, string> = {}) {
    stack = await startTestStack({
      platformEnv,
      bffEnv: { TOKEN_CONSUMER_DEFAULT_LIFETIME: '3600', ...bffEnv },
      deps: { fetch: fetchWithoutExpiresIn },
    });
    const browser = new CookieJarClient();
    at(0);
    await signInThroughBff(stack, browser, 'operator');
    return { s: stack, browser };
  }

  it.each([
    ['RFC 6750 (401 invalid_token)', 'bearer'],
    ['the Facebook quirk (400 OAuth "Facebook Platform" "invalid_token")', 'facebook'],
  ])('refreshes once and retries the same request for %s', async (_label, style) => {
    const { s, browser } = await signedIn({ API_EXPIRED_TOKEN_STYLE: style });
    at(910); // the token expired at 900; the BFF's estimate says 3600
    const response = await browser.fetch(`${s.appUrl}/api/devices/dev-0001/commands`, {
      method: 'POST',
      headers: { ...csrfHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'recalibrate' }),
    });
    expect(response.status).toBe(202); // the buffered body was sent again
    expect((await response.json()).type).toBe('recalibrate');
    expect(response.headers.getSetCookie().some((l) => l.startsWith('__Host-bff_session='))).toBe(true);
    const counts = await stats(s);
    expect(counts.tokenRequests.refresh_token).toBe(1);
    expect(counts.refreshTokenReuse).toBe(0);
  });

  it('passes the Facebook-style 400 through untouched when the quirk is switched off', async () => {
    const { s, browser } = await signedIn({ API_EXPIRED_TOKEN_STYLE: 'facebook' }, { API_TOKEN_QUIRKS: '' });
    at(910);
    const response = await browser.fetch(`${s.appUrl}/api/devices`, { headers: csrfHeaders });
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toContain('Facebook Platform');
    expect((await stats(s)).tokenRequests.refresh_token).toBeUndefined();
  });

  it('passes 403 insufficient_scope and other 4xx through without refreshing', async () => {
    const { s, browser } = await signedIn();
    const viewer = new CookieJarClient();
    await signInThroughBff(s, viewer, 'viewer');
    const forbidden = await viewer.fetch(`${s.appUrl}/api/devices/dev-0001/commands`, {
      method: 'POST',
      headers: { ...csrfHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'reboot' }),
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect((await forbidden.json()).error).toBe('insufficient_scope');
    for (const [path, status] of [
      ['/api/devices/dev-9999', 404],
      ['/api/devices?limit=0', 400],
      ['/api/devices/dev-0001/telemetry?metric=pressure', 400],
    ] as const) {
      expect((await browser.fetch(`${s.appUrl}${path}`, { headers: csrfHeaders })).status).toBe(status);
    }
    expect((await stats(s)).tokenRequests.refresh_token).toBeUndefined();
  });

  it('answers session_expired when the forced refresh finds the refresh token dead', async () => {
    const { s, browser } = await signedIn();
    at(1801); // past the API token's expiry and the refresh token's idle timeout
    const response = await browser.fetch(`${s.appUrl}/api/devices`, { headers: csrfHeaders });
    expect(response.status).toBe(401);
    expect((await response.json()).error).toBe('session_expired');
    expect(response.headers.getSetCookie().find((l) => l.startsWith('__Host-bff_session='))).toMatch(
      /Max-Age=0/,
    );
  });
});

describe('the proxy itself', () => {
  let echo: Server;
  let seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  let stack: TestStack;
  let browser: CookieJarClient;

  beforeAll(async () => {
    // An upstream that shows what reached it.
    echo = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.url?.includes('/slow')) return setTimeout(() => res.end('late'), 1000);
        if (req.url?.includes('/stream')) {
          // A long answer in small pieces, so the browser can walk away in the middle of it.
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          let sent = 0;
          const timer = setInterval(() => {
            if (res.destroyed || sent++ > 50) {
              clearInterval(timer);
              res.end();
              return;
            }
            res.write(Buffer.alloc(16_384, 120));
          }, 10);
          return;
        }
        res.writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': 'upstream=1',
          'x-upstream': 'yes',
        });
        res.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const port = (echo.address() as AddressInfo).port;
    stack = await startTestStack({
      bffEnv: { API_UPSTREAM: `http://127.0.0.1:${port}/v1`, API_TIMEOUT_MS: '300', API_BODY_LIMIT: '2048' },
    });
    browser = new CookieJarClient();
    await signInThroughBff(stack, browser, 'operator');
  });
  afterAll(async () => {
    await stack.dispose();
    echo.close();
  });
  afterEach(() => {
    seen = [];
  });

  const call = (path: string, init: RequestInit = {}) =>
    browser.fetch(`${stack.appUrl}${path}`, {
      ...init,
      headers: { ...csrfHeaders, ...(init.headers ?? {}) },
    });

  it('adds the bearer token and strips cookies, the CSRF header and the browser Authorization', async () => {
    const response = await call('/api/devices?site=a&limit=5', {
      headers: {
        authorization: 'Bearer forged',
        'accept-language': 'de',
        origin: stack.appUrl,
        // Attribution is for automation on the service account; a browser may not claim it.
        'x-job-id': 'job-forged',
        'x-initiated-by': 'someone-else',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(response.headers.getSetCookie().some((l) => l.startsWith('upstream='))).toBe(false);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const [request] = seen;
    expect(request?.url).toBe('/v1/devices?site=a&limit=5');
    expect(request?.headers.authorization).toMatch(/^Bearer eyJ/);
    expect(request?.headers.authorization).not.toBe('Bearer forged');
    expect(request?.headers.cookie).toBeUndefined();
    expect(request?.headers['x-csrf']).toBeUndefined();
    expect(request?.headers.origin).toBeUndefined();
    expect(request?.headers['accept-language']).toBe('de');
    expect(request?.headers['x-job-id']).toBeUndefined();
    expect(request?.headers['x-initiated-by']).toBeUndefined();
  });

  it('forwards bodies and methods', async () => {
    const response = await call('/api/alerts/a1/ack', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"note":"checked"}',
    });
    expect(response.status).toBe(200);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/alerts/a1/ack', body: '{"note":"checked"}' });
  });

  it('refuses paths that could leave the upstream', async () => {
    for (const path of [
      '/api/%2e%2e/admin',
      '/api/devices/%2F..%2Fadmin',
      '/api/a//b',
      '/api/a%5cb',
      '/api/',
      '/api/%zz',
    ]) {
      const response = await call(path);
      expect([400, 404]).toContain(response.status);
      if (response.status === 400) expect((await response.json()).error).toBe('bad_request');
    }
    expect(seen.every((request) => request.url.startsWith('/v1/'))).toBe(true);
  });

  it('limits request bodies', async () => {
    const response = await call('/api/devices/dev-0001/commands', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(4096),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).error).toBe('payload_too_large');
    expect(seen).toHaveLength(0);
  });

  it('answers an upstream timeout with 504 and an unreachable upstream with 502', async () => {
    const slow = await call('/api/slow');
    expect(slow.status).toBe(504);
    expect((await slow.json()).error).toBe('upstream_unavailable');
    const down = await startTestStack({ bffEnv: { API_UPSTREAM: 'http://127.0.0.1:9' } });
    try {
      const jar = new CookieJarClient();
      await signInThroughBff(down, jar, 'viewer');
      const response = await jar.fetch(`${down.appUrl}/api/devices`, { headers: csrfHeaders });
      expect(response.status).toBe(502);
      expect((await response.json()).error).toBe('upstream_unavailable');
    } finally {
      await down.dispose();
    }
  });

  it('streams answers through, and survives a browser that cancels in the middle of one', async () => {
    const full = await call('/api/stream');
    expect((await full.arrayBuffer()).byteLength).toBe(51 * 16_384);
    for (let round = 0; round < 20; round++) {
      const controller = new AbortController();
      const response = await call('/api/stream', { signal: controller.signal });
      const reader = response.body?.getReader();
      await reader?.read();
      controller.abort();
      await reader?.cancel().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The BFF is still up and serving.
    expect((await call('/api/devices')).status).toBe(200);
  });

  it('requires a session', async () => {
    const response = await new CookieJarClient().fetch(`${stack.appUrl}/api/devices`, {
      headers: csrfHeaders,
    });
    expect(response.status).toBe(401);
    expect((await response.json()).error).toBe('unauthenticated');
    expect(seen).toHaveLength(0);
  });
});
