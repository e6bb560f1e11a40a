import type { Context, MiddlewareHandler } from 'hono';
import { BffError, errorResponse } from '../errors.ts';

export interface CsrfOptions {
  /** The SPA's origin, e.g. `http://localhost:3000`. Default ports are normalised away. */
  appOrigin: string;
  /** Exact request paths (as Hono routes them) that need neither the header nor the origin check. */
  exemptPaths: readonly string[];
}

/** The static header every BFF/API call carries; a custom header forces a CORS preflight. */
export const CSRF_HEADER = 'X-CSRF';
export const CSRF_HEADER_VALUE = '1';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `scheme://host[:port]` and nothing else: no path, query, fragment or credentials. */
const ORIGIN_SHAPE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\\\s]+$/i;

/**
 * Returns the serialised origin of `value` if it is exactly an origin (default ports removed,
 * host lower-cased), otherwise undefined. Opaque origins (`null`, `file:`, `data:`) give undefined.
 */
export function normaliseOrigin(value: string): string | undefined {
  if (!ORIGIN_SHAPE.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.origin === 'null' ? undefined : url.origin;
}

/**
 * CSRF defence for `/bff/*` and `/api/*`:
 *
 * - every request on a non-exempt path must carry `X-CSRF: 1`;
 * - unsafe methods on non-exempt paths must, when the browser sends them, have `Origin` equal to the
 *   app origin and `Sec-Fetch-Site: same-origin` (non-browser clients send neither);
 * - OPTIONS is always answered `403 csrf_rejected`, on exempt paths too: we never approve a CORS
 *   preflight and never set any `Access-Control-*` header.
 */
export function csrfProtection(options: CsrfOptions): MiddlewareHandler {
  const appOrigin = normaliseOrigin(options.appOrigin);
  if (appOrigin === undefined) {
    throw new TypeError(
      `csrfProtection: appOrigin must be a bare origin, got ${JSON.stringify(options.appOrigin)}`,
    );
  }
  const exempt = new Set(options.exemptPaths);

  return async function csrfProtectionMiddleware(c, next) {
    const method = c.req.method.toUpperCase();
    if (method === 'OPTIONS') return reject(c, 'Cross-origin requests are not allowed.');
    if (exempt.has(c.req.path)) return next();

    if (c.req.header(CSRF_HEADER) !== CSRF_HEADER_VALUE) {
      return reject(c, `The ${CSRF_HEADER} request header is missing or wrong.`);
    }
    if (!SAFE_METHODS.has(method)) {
      const origin = c.req.header('origin');
      if (origin !== undefined && normaliseOrigin(origin) !== appOrigin) {
        return reject(c, 'The request comes from a foreign origin.');
      }
      const fetchSite = c.req.header('sec-fetch-site');
      if (fetchSite !== undefined && fetchSite !== 'same-origin') {
        return reject(c, 'The request is not same-origin.');
      }
    }
    return next();
  };
}

function reject(c: Context, message: string): Response {
  return errorResponse(c, new BffError('csrf_rejected', 403, message));
}
