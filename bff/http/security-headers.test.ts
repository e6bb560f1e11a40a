import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  noStore,
  type SecurityHeadersOptions,
  securityHeaders,
} from './security-headers.ts';

const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const FIXED_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

function makeApp(options: SecurityHeadersOptions): Hono {
  const app = new Hono();
  app.use('*', securityHeaders(options));
  app.get('/', (c) => c.text('ok'));
  app.get('/custom', (c) => {
    c.header('Content-Security-Policy', "default-src 'none'");
    c.header('Referrer-Policy', 'same-origin');
    return c.text('custom');
  });
  app.get('/returned', () => new Response('x', { headers: { 'x-frame-options': 'SAMEORIGIN' } }));
  app.get('/redirect', () => Response.redirect('http://localhost:3000/devices', 302));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.onError((_, c) => c.json({ error: 'server_error' }, 500));
  return app;
}

describe('securityHeaders', () => {
  it('sets the exact strict CSP and the fixed headers', async () => {
    const res = await makeApp({ https: false }).request('/');
    expect(res.headers.get('content-security-policy')).toBe(STRICT_CSP);
    for (const [name, value] of Object.entries(FIXED_HEADERS)) expect(res.headers.get(name)).toBe(value);
  });

  it('has no unsafe-inline or unsafe-eval', () => {
    expect(contentSecurityPolicy()).not.toMatch(/unsafe/);
  });

  it('sends HSTS only over https', async () => {
    const plain = await makeApp({ https: false }).request('/');
    expect(plain.headers.has('strict-transport-security')).toBe(false);
    const secure = await makeApp({ https: true }).request('/');
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
  });

  it('appends extra connect sources', async () => {
    const app = makeApp({
      https: true,
      connectSources: ['https://telemetry.example', 'wss://*.example:8443'],
    });
    const csp = (await app.request('/')).headers.get('content-security-policy');
    expect(csp).toContain("; connect-src 'self' https://telemetry.example wss://*.example:8443; ");
    expect(csp?.startsWith("default-src 'self'; script-src 'self';")).toBe(true);
  });

  it.each([
    '*',
    'https:',
    "'unsafe-eval'",
    'https://a.example; script-src *',
    'https://a.example https://b.example',
    'https://a.example/path',
    'javascript://x',
    '',
  ])('refuses the connect source %j', (source) => {
    expect(() => securityHeaders({ https: false, connectSources: [source] })).toThrow(TypeError);
  });

  it('does not overwrite a header a handler set', async () => {
    const app = makeApp({ https: true });
    const custom = await app.request('/custom');
    expect(custom.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(custom.headers.get('referrer-policy')).toBe('same-origin');
    expect(custom.headers.get('x-frame-options')).toBe('DENY');
    const returned = await app.request('/returned');
    expect(returned.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(returned.headers.get('content-security-policy')).toBe(STRICT_CSP);
  });

  it('covers responses with immutable headers, error and not-found responses', async () => {
    const app = makeApp({ https: false });
    const redirect = await app.request('/redirect');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('http://localhost:3000/devices');
    expect(redirect.headers.get('content-security-policy')).toBe(STRICT_CSP);
    for (const path of ['/boom', '/missing']) {
      const res = await app.request(path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('content-security-policy')).toBe(STRICT_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});

describe('noStore', () => {
  function makeStoreApp(): Hono {
    const app = new Hono();
    app.use('/bff/*', noStore());
    app.get('/bff/session', (c) => c.json({ authenticated: false }));
    app.get('/bff/cached', (c) => {
      c.header('Cache-Control', 'public, max-age=3600');
      return c.json({});
    });
    app.get('/bff/redirect', () => Response.redirect('http://localhost:3000/', 302));
    app.get('/static', (c) => c.text('static'));
    return app;
  }

  it('sets Cache-Control: no-store where mounted, overriding a cacheable header', async () => {
    const app = makeStoreApp();
    for (const path of ['/bff/session', '/bff/cached', '/bff/redirect', '/bff/missing']) {
      expect((await app.request(path)).headers.get('cache-control')).toBe('no-store');
    }
  });

  it('leaves other paths alone', async () => {
    expect((await makeStoreApp().request('/static')).headers.has('cache-control')).toBe(false);
  });
});
