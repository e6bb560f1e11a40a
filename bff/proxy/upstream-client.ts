import type { Readable } from 'node:stream';
import { Agent, errors, request } from 'undici';

export interface UpstreamRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
}

export interface UpstreamResponse {
  status: number;
  header(name: string): string | undefined;
  /** Every header as name/value pairs (a repeated header appears once per value). */
  headers: [string, string][];
  body: ReadableStream<Uint8Array> | null;
  /** Drops the body unread (before a retry). */
  discard(): Promise<void>;
}

export type UpstreamErrorKind = 'timeout' | 'unreachable';

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;

  constructor(kind: UpstreamErrorKind, message: string) {
    super(message);
    this.name = 'UpstreamError';
    this.kind = kind;
  }
}

/**
 * The connection pool to the device API (undici): keep-alive connections reused across requests, and
 * the time limit enforced by the pool (no per-request AbortSignal on the hot path). undici's
 * `request` skips the WHATWG fetch machinery the proxy does not need.
 */
export function createUpstreamClient(options: { timeoutMs: number; connections?: number }) {
  const agent = new Agent({
    connections: options.connections ?? 128,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 30_000,
  });

  async function send(input: UpstreamRequest): Promise<UpstreamResponse> {
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(input.url, {
        method: input.method as 'GET',
        headers: input.headers,
        body: input.body && input.body.byteLength > 0 ? input.body : null,
        dispatcher: agent,
      });
    } catch (error) {
      if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
        throw new UpstreamError('timeout', 'The device API did not answer in time');
      }
      throw new UpstreamError('unreachable', 'The device API could not be reached');
    }
    const headers: [string, string][] = [];
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.push([name, one]);
    }
    const status = answer.statusCode;
    const noBody = input.method === 'HEAD' || status === 204 || status === 304;
    return {
      status,
      headers,
      header: (name) => {
        const value = answer.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      body: noBody ? null : webStreamOf(answer.body),
      discard: async () => {
        await answer.body.dump();
      },
    };
  }

  return { send, close: () => agent.close() };
}

export type UpstreamClient = ReturnType<typeof createUpstreamClient>;

/**
 * A web stream over the upstream body with back-pressure and a cancel that ends the upstream read.
 * Not `Readable.toWeb`: on Node 20 it throws "Controller is already closed" from an event handler
 * when the browser cancels a proxied answer mid-stream, which takes the whole process down
 * (nodejs/node#54205). Every controller call here tolerates a stream that already ended.
 */
export function webStreamOf(body: Readable): ReadableStream<Uint8Array> {
  let finished = false;
  const settle = (action: () => void) => {
    if (finished) return;
    finished = true;
    try {
      action();
    } catch {
      // Already closed or cancelled by the consumer: nothing left to tell it.
    }
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      body.on('data', (chunk: Buffer) => {
        if (finished) return;
        try {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        } catch {
          finished = true;
          body.destroy();
          return;
        }
        if ((controller.desiredSize ?? 0) <= 0) body.pause();
      });
      body.once('end', () => settle(() => controller.close()));
      body.once('error', (error) => settle(() => controller.error(error)));
      body.pause();
    },
    pull() {
      body.resume();
    },
    cancel() {
      finished = true;
      body.destroy();
    },
  });
}
