import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** This request's id: in `X-Request-Id`, every error body and every log line about the request. */
    requestId: string;
  }
}

/**
 * Gives every request an id of our own. An incoming `X-Request-Id` is not trusted (a caller could
 * forge log correlation with it); the id goes back in `X-Request-Id` and in every error body.
 */
export function requestIds(): MiddlewareHandler {
  return async (c, next) => {
    const id = randomUUID();
    c.set('requestId', id);
    c.header('x-request-id', id);
    await next();
  };
}
