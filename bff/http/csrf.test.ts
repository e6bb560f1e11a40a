import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { csrfProtection, normaliseOrigin } from './csrf.ts';

const APP_ORIGIN = 'http://localhost:3000';
const EXEMPT = ['/bff/login', '/bff/callback', '/bff/backchannel-logout'];

function makeApp(appOrigin = APP_ORIGIN): Hono {
  const app = new Hono();
  const csrf = csrfProtection({ appOrigin, exemptPaths: EXEMPT });
  app.use('/bff/*', csrf);
  app.use('/api/*', csrf);
  app.all('/bff/*', (c) => c.json({ reached: true }));
  app.all('/api/*', (c) => c.json({ reached: true }));
  app.all('/outside', (c) => c.json({ reached: true }));
  return app;
}

const app = makeApp();

async function send(method: string, path: string, headers: Record<string, string> = {}) {
  const res = await app.request(`http://localhost:3000${path}`, { method, headers });
  const body = method === 'HEAD' ? undefined : ((await res.clone().json()) as { error?: string });
  return { res, status: res.status, error: body?.error };
}

function accessControlHeaders(res: Response): string[] {
  return [...res.headers.keys()].filter((name) => name.startsWith('access-control-'));
}

describe('the X-CSRF header', () => {
  it.each([
    ['GET', '/bff/session', {}],
    ['GET', '/api/devices', { 'X-CSRF': '0' }],
    ['GET', '/api/devices', { 'X-CSRF': 'true' }],
    ['GET', '/api/devices', { 'X-CSRF': '' }],
    ['GET', '/api/devices', { 'X-CSRF': '11' }],
    ['POST', '/bff/logout', {}],
    ['POST', '/bff/logout', { 'X-CSRF': '0', Origin: APP_ORIGIN }],
    ['DELETE', '/api/devices/dev-0001', { 'X-CSRF': 'yes' }],
    ['HEAD', '/api/devices', {}],
    ['GET', '/bff/login/', {}], // exempt paths are exact
  ] as const)('%s %s with %j -> 403 csrf_rejected', async (method, path, headers) => {
    const { status, error, res } = await send(method, path, headers);
    expect(status).toBe(403);
    if (method !== 'HEAD') expect(error).toBe('csrf_rejected');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['GET', '/bff/session'],
    ['GET', '/api/devices?range=6h'],
    ['HEAD', '/api/devices'],
  ])('%s %s with X-CSRF: 1 and no Origin passes', async (method, path) => {
    expect((await send(method, path, { 'X-CSRF': '1' })).status).toBe(200);
  });

  it('passes a GET even with a foreign Origin (only unsafe methods are origin-checked)', async () => {
    const { status } = await send('GET', '/api/devices', { 'X-CSRF': '1', Origin: 'https://evil.example' });
    expect(status).toBe(200);
  });

  it('does not guard routes outside where it is mounted', async () => {
    expect((await send('POST', '/outside')).status).toBe(200);
  });
});

describe('exempt paths', () => {
  it.each([
    ['GET', '/bff/login?returnTo=/devices'],
    ['GET', '/bff/callback?code=x&state=y'],
    ['POST', '/bff/backchannel-logout'],
  ])('%s %s passes without the header', async (method, path) => {
    expect((await send(method, path)).status).toBe(200);
  });

  it('skips the origin check too (the IdP posts the back-channel logout)', async () => {
    const headers = { Origin: 'https://idp.example', 'Sec-Fetch-Site': 'cross-site' };
    expect((await send('POST', '/bff/backchannel-logout', headers)).status).toBe(200);
  });
});

describe('origin checks on unsafe methods', () => {
  it.each([
    ['foreign Origin', { Origin: 'https://evil.example' }],
    ['same host, other port', { Origin: 'http://localhost:3001' }],
    ['other scheme', { Origin: 'https://localhost:3000' }],
    ['null Origin', { Origin: 'null' }],
    ['Origin with a path', { Origin: 'http://localhost:3000/x' }],
    ['Origin with credentials', { Origin: 'http://user@localhost:3000' }],
    ['suffix trick', { Origin: 'http://localhost:3000.evil.example' }],
    ['two Origins', { Origin: `${APP_ORIGIN}, https://evil.example` }],
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ['Sec-Fetch-Site: none', { 'Sec-Fetch-Site': 'none' }],
    ['right Origin, cross-site fetch', { Origin: APP_ORIGIN, 'Sec-Fetch-Site': 'cross-site' }],
    [
      'same-origin fetch, foreign Origin',
      { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'same-origin' },
    ],
  ])('POST with %s -> 403 csrf_rejected', async (_, headers) => {
    const { status, error } = await send('POST', '/bff/logout', { 'X-CSRF': '1', ...headers });
    expect(status).toBe(403);
    expect(error).toBe('csrf_rejected');
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('%s with a foreign Origin -> 403', async (method) => {
    const { status, error } = await send(method, '/api/devices/dev-0001', {
      'X-CSRF': '1',
      Origin: 'https://evil.example',
    });
    expect(status).toBe(403);
    expect(error).toBe('csrf_rejected');
  });

  it.each([
    ['same Origin', { Origin: APP_ORIGIN }],
    ['same Origin and same-origin fetch', { Origin: APP_ORIGIN, 'Sec-Fetch-Site': 'same-origin' }],
    ['only Sec-Fetch-Site: same-origin', { 'Sec-Fetch-Site': 'same-origin' }],
    ['neither (non-browser client)', {}],
  ])('POST with %s passes', async (_, headers) => {
    expect((await send('POST', '/bff/logout', { 'X-CSRF': '1', ...headers })).status).toBe(200);
  });

  it('normalises default ports on both sides', async () => {
    const https = makeApp('https://app.example:443');
    const res = await https.request('https://app.example/api/jobs', {
      method: 'POST',
      headers: { 'X-CSRF': '1', Origin: 'https://app.example' },
    });
    expect(res.status).toBe(200);
    const http = makeApp('http://app.example');
    const res2 = await http.request('http://app.example/api/jobs', {
      method: 'POST',
      headers: { 'X-CSRF': '1', Origin: 'http://app.example:80' },
    });
    expect(res2.status).toBe(200);
  });
});

describe('CORS preflights', () => {
  it.each([
    ['/api/devices', { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' }],
    ['/bff/session', { Origin: APP_ORIGIN, 'Access-Control-Request-Headers': 'x-csrf' }],
    ['/bff/login', { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' }],
    ['/api/devices', { 'X-CSRF': '1' }],
  ])('OPTIONS %s -> 403 without any Access-Control header', async (path, headers) => {
    const { status, error, res } = await send('OPTIONS', path, headers);
    expect(status).toBe(403);
    expect(error).toBe('csrf_rejected');
    expect(accessControlHeaders(res)).toEqual([]);
  });

  it('never sets Access-Control headers on passing requests either', async () => {
    const { status, res } = await send('POST', '/api/jobs', { 'X-CSRF': '1', Origin: APP_ORIGIN });
    expect(status).toBe(200);
    expect(accessControlHeaders(res)).toEqual([]);
  });
});

describe('normaliseOrigin', () => {
  it.each([
    ['http://localhost:3000', 'http://localhost:3000'],
    ['https://APP.example:443', 'https://app.example'],
    ['http://app.example:80', 'http://app.example'],
  ])('%s -> %s', (value, origin) => {
    expect(normaliseOrigin(value)).toBe(origin);
  });

  it.each(['null', '', 'localhost:3000', 'http://a/', 'http://a?x', 'http://u:p@a', 'file:///x', 'data:,x'])(
    'refuses %j',
    (value) => {
      expect(normaliseOrigin(value)).toBeUndefined();
    },
  );

  it('refuses a configuration that is not an origin', () => {
    expect(() => csrfProtection({ appOrigin: 'localhost:3000', exemptPaths: [] })).toThrow(TypeError);
    expect(() => csrfProtection({ appOrigin: 'http://a/app', exemptPaths: [] })).toThrow(TypeError);
  });
});
