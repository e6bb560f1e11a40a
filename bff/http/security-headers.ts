import type { Context, MiddlewareHandler } from 'hono';

export interface SecurityHeadersOptions {
  /** Served over HTTPS: adds `Strict-Transport-Security`. */
  https: boolean;
  /** Extra origins for `connect-src` (e.g. `https://telemetry.example.com`), default none. */
  connectSources?: readonly string[];
}

export const HSTS_VALUE = 'max-age=63072000; includeSubDomains';

/** `scheme://host[:port]` for http(s)/ws(s), host may start with a `*.` wildcard; nothing else. */
const CONNECT_SOURCE_SHAPE = /^(?:https?|wss?):\/\/(?:\*\.)?[a-z0-9.-]+(?::\d{1,5})?$/i;

/**
 * The strict policy: no inline script or style, no eval, nothing framed, no plugins, no `<base>`.
 * Throws a TypeError for a connect source that is not a plain origin, so that a configuration
 * mistake cannot widen or break the policy (`*`, `https:`, `'unsafe-eval'`, `a; script-src *`).
 */
export function contentSecurityPolicy(connectSources: readonly string[] = []): string {
  const extra = connectSources.map((source) => {
    if (!CONNECT_SOURCE_SHAPE.test(source)) {
      throw new TypeError(`securityHeaders: connect source must be an origin, got ${JSON.stringify(source)}`);
    }
    return ` ${source.toLowerCase()}`;
  });
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${extra.join('')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sets the browser hardening headers on every response, leaving any a handler already set. */
export function securityHeaders(options: SecurityHeadersOptions): MiddlewareHandler {
  const headers: [string, string][] = [
    ['Content-Security-Policy', contentSecurityPolicy(options.connectSources)],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=()'],
  ];
  if (options.https) headers.push(['Strict-Transport-Security', HSTS_VALUE]);

  return async function securityHeadersMiddleware(c, next) {
    await next();
    setResponseHeaders(c, (target) => {
      for (const [name, value] of headers) if (!target.has(name)) target.set(name, value);
    });
  };
}

/**
 * `Cache-Control: no-store` for `/bff/*` and `/api/*`: session state and device data must never sit in
 * a shared or browser cache. Always overrides, also a cache header passed through from an upstream.
 */
export function noStore(): MiddlewareHandler {
  return async function noStoreMiddleware(c, next) {
    await next();
    setResponseHeaders(c, (target) => target.set('Cache-Control', 'no-store'));
  };
}

/**
 * Applies `edit` to the response headers. Some responses have immutable headers (`Response.redirect`,
 * a `fetch` result returned as is); those are copied into a fresh Response first.
 */
function setResponseHeaders(c: Context, edit: (headers: Headers) => void): void {
  try {
    edit(c.res.headers);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const original = c.res;
    const copy = new Response(original.body, original);
    edit(copy.headers);
    // Clear first: Hono's setter would otherwise merge the old headers back over ours.
    c.res = undefined;
    c.res = copy;
  }
}
