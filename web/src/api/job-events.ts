import { type ApiError, isApiError } from './api-error.ts';
import { openEventStream } from './http.ts';
import type { JobStreamState } from './job-stream-state.ts';
import type { JobNotification, JobSummary } from './job-types.ts';
import { createSseParser } from './sse-parser.ts';

// The one live connection to `/bff/events`: read with fetch (EventSource cannot send `X-CSRF: 1`),
// parsed frame by frame, reconnected with backoff when it drops, given up on 401 (the session
// logic takes over from there).

export const EVENTS_PATH = '/bff/events';

export interface JobEventHandlers {
  onJob(job: JobSummary): void;
  onNotification(notification: JobNotification): void;
  onState(state: JobStreamState): void;
  /** `401`: the session is gone or expired; the stream stays closed. */
  onUnauthorized(error: ApiError): void;
}

export interface JobEventsOptions {
  open?: (signal: AbortSignal, lastEventId: string | undefined) => Promise<ReadableStream<Uint8Array>>;
  /** Delay before reconnection attempt `attempt` (0-based). */
  backoff?: (attempt: number) => number;
  /** No byte for this long means a dead connection; keep-alives come every 25 s. */
  idleTimeoutMs?: number;
  /** A connection that stayed open this long starts the backoff over. */
  healthyAfterMs?: number;
}

export const IDLE_TIMEOUT_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

/** 1 s, 2 s, 4 s … up to 30 s, with jitter so that many tabs do not reconnect in step. */
export const defaultBackoff = (attempt: number): number =>
  Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** attempt) * (0.5 + Math.random() / 2);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const isJobSummary = (value: unknown): value is JobSummary =>
  isRecord(value) &&
  typeof value.id === 'string' &&
  typeof value.status === 'string' &&
  typeof value.updatedAt === 'string' &&
  isRecord(value.progress);

const isNotification = (value: unknown): value is JobNotification =>
  isRecord(value) &&
  typeof value.id === 'string' &&
  typeof value.jobId === 'string' &&
  typeof value.kind === 'string' &&
  typeof value.message === 'string';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Connects and keeps connecting until `close()` or a 401. */
export function connectJobEvents(
  handlers: JobEventHandlers,
  options: JobEventsOptions = {},
): { close(): void } {
  const open =
    options.open ?? ((signal, lastEventId) => openEventStream(EVENTS_PATH, { signal, lastEventId }));
  const backoff = options.backoff ?? defaultBackoff;
  const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const healthyAfterMs = options.healthyAfterMs ?? 10_000;
  const closed = new AbortController();
  let lastEventId: string | undefined;
  let serverRetryMs = 0;

  // A fresh parser per connection: a frame cut off by a drop must not run into the next stream.
  const newParser = () =>
    createSseParser({
      onMessage(message) {
        if (message.lastEventId !== undefined) lastEventId = message.lastEventId;
        let payload: unknown;
        try {
          payload = JSON.parse(message.data);
        } catch {
          return; // not ours to guess at
        }
        if (message.event === 'job' && isJobSummary(payload)) handlers.onJob(payload);
        else if (message.event === 'notification' && isNotification(payload))
          handlers.onNotification(payload);
      },
      onRetry(ms) {
        serverRetryMs = ms;
      },
    });

  /** Reads until the server ends the stream, the connection goes quiet, or close(). */
  async function read(body: ReadableStream<Uint8Array>, connection: AbortController): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = newParser();
    let idle: ReturnType<typeof setTimeout> | undefined;
    const watch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        connection.abort();
        void reader.cancel().catch(() => undefined);
      }, idleTimeoutMs);
    };
    try {
      watch();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        watch();
        parser.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      clearTimeout(idle);
      void reader.cancel().catch(() => undefined);
    }
  }

  async function run() {
    let attempt = 0;
    handlers.onState('connecting');
    while (!closed.signal.aborted) {
      const connection = new AbortController();
      const stop = () => connection.abort();
      closed.signal.addEventListener('abort', stop, { once: true });
      let retryAfterMs = 0;
      try {
        const body = await open(connection.signal, lastEventId);
        if (closed.signal.aborted) {
          void body.cancel().catch(() => undefined);
          return;
        }
        handlers.onState('live');
        const openedAt = Date.now();
        await read(body, connection);
        if (Date.now() - openedAt >= healthyAfterMs) attempt = 0;
      } catch (error) {
        if (closed.signal.aborted) return;
        if (isApiError(error) && error.status === 401) {
          handlers.onState('stopped');
          handlers.onUnauthorized(error);
          return;
        }
        // 503 jobs_unavailable and the like say when to come back.
        if (isApiError(error)) retryAfterMs = error.retryAfterMs ?? 0;
      } finally {
        closed.signal.removeEventListener('abort', stop);
      }
      if (closed.signal.aborted) return;
      handlers.onState('down');
      await sleep(Math.max(backoff(attempt), retryAfterMs, serverRetryMs), closed.signal);
      attempt++;
    }
  }

  void run();
  return { close: () => closed.abort() };
}
