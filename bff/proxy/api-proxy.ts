import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BffError, errorResponse } from '../errors.ts';
import { type ExpiredTokenRule, matchingRule } from '../providers/index.ts';
import type { SessionTokensFactory } from '../tokens/index.ts';
import { type UpstreamClient, UpstreamError } from './upstream-client.ts';
import { createUpstreamUrlMapper } from './upstream-url.ts';

export interface ApiProxyOptions {
  /** The device API's base URL; nothing else is ever reachable through the proxy. */
  upstream: string;
  /** The request's token source (the browser session); the proxy never touches cookies. */
  tokens: SessionTokensFactory;
  rules: readonly ExpiredTokenRule[];
  bodyLimit: number;
  upstreamClient: UpstreamClient;
}

// Only these request headers reach the API: no Cookie, no X-CSRF, no Origin, no client Authorization.
const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'x-request-id',
];
// Hop-by-hop headers (RFC 9110 section 7.6.1), cookies, and what fetch already undid (decompression).
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
  'content-encoding',
  'content-length',
]);

/**
 * `ALL /api/*`: the device API behind the session. Adds the bearer token from the session's token
 * source (which refreshes ahead and writes the cookie),
 * retries once after a refresh when the API says the token expired, and streams answers
 * back. A changed session is written to the cookie; an unchanged one sets no cookie.
 */
export function apiProxyRoute(options: ApiProxyOptions) {
  const app = new Hono();
  const upstreamUrl = createUpstreamUrlMapper(options.upstream);
  const limitBody = bodyLimit({
    maxSize: options.bodyLimit,
    onError: (c) =>
      errorResponse(
        c,
        new BffError('payload_too_large', 413, `Request bodies are limited to ${options.bodyLimit} bytes`),
      ),
  });
  // Only where a body can be: checking one on a GET would build a full WHATWG Request (and its
  // AbortController) on every dashboard poll.
  app.use('*', (c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next),
  );

  app.all('*', async (c) => {
    const target = upstreamUrl(c.req.url);
    if (!target.ok) return errorResponse(c, new BffError('bad_request', 400, target.reason));

    const tokens = await options.tokens(c);
    const method = c.req.method;
    const body =
      method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(await c.req.arrayBuffer());
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = c.req.header(name);
      if (value !== undefined) headers[name] = value;
    }
    const send = (accessToken: string) =>
      options.upstreamClient.send({
        url: target.url,
        method,
        headers: { ...headers, authorization: `Bearer ${accessToken}` },
        body,
      });
    try {
      let response = await send(await tokens.getAccessToken());
      if (matchingRule(options.rules, response.status, response.header('www-authenticate'))) {
        // The API says the token is no longer good although our estimate disagreed (skew, revocation,
        // a changed lifetime): one forced refresh and one retry of the same request.
        await response.discard();
        response = await send(await tokens.getAccessToken({ force: true }));
      }
      for (const [name, value] of response.headers) {
        if (!DROPPED_RESPONSE_HEADERS.has(name)) c.header(name, value, { append: true });
      }
      c.header('cache-control', 'no-store');
      // Through c.body, so the session cookie set on the context travels with the streamed answer.
      return c.body(response.body as ReadableStream, response.status as ContentfulStatusCode);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      const status = error.kind === 'timeout' ? 504 : 502;
      return errorResponse(c, new BffError('upstream_unavailable', status, error.message));
    }
  });
  return app;
}
