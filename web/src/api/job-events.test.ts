import { afterEach, describe, expect, it, vi } from 'vitest';
import { sampleJob } from '../test-support.ts';
import { ApiError } from './api-error.ts';
import { connectJobEvents, type JobEventHandlers } from './job-events.ts';
import type { JobStreamState } from './job-stream-state.ts';
import type { JobNotification, JobSummary } from './job-types.ts';

function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  return {
    stream,
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    sendBytes: (bytes: Uint8Array) => controller.enqueue(bytes),
    close: () => controller.close(),
  };
}

function recorder() {
  const states: JobStreamState[] = [];
  const handlers = {
    onJob: vi.fn<(job: JobSummary) => void>(),
    onNotification: vi.fn<(notification: JobNotification) => void>(),
    onState: vi.fn((state: JobStreamState) => states.push(state)),
    onUnauthorized: vi.fn(),
  } satisfies JobEventHandlers;
  return { handlers, states };
}

let connection: { close(): void } | undefined;
afterEach(() => {
  connection?.close();
  connection = undefined;
});

const notification = {
  id: 'ntf-1',
  jobId: 'job-0001',
  jobType: 'firmware-rollout',
  kind: 'paused',
  pausedReason: 'credentials',
  message: 'The job paused: credentials refused.',
  at: '2025-06-01T11:06:00.000Z',
};

describe('the live job event connection', () => {
  it('passes job and notification events on, decoding UTF-8 split between chunks', async () => {
    const server = controlledStream();
    const { handlers, states } = recorder();
    connection = connectJobEvents(handlers, { open: async () => server.stream });
    await vi.waitFor(() => expect(states).toEqual(['connecting', 'live']));

    const job = sampleJob({ initiatedBy: { sub: 'u', name: 'Jürgen Müller' } });
    const frame = new TextEncoder().encode(`event: job\ndata: ${JSON.stringify(job)}\n\n`);
    const umlaut = frame.indexOf(0xc3); // the first byte of "ü"
    server.sendBytes(frame.slice(0, umlaut + 1));
    server.sendBytes(frame.slice(umlaut + 1));
    server.send(`: keep-alive\n\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`);
    server.send('event: job\ndata: not json\n\nevent: job\ndata: {"no":"id"}\n\n');

    await vi.waitFor(() => expect(handlers.onNotification).toHaveBeenCalledWith(notification));
    expect(handlers.onJob).toHaveBeenCalledTimes(1);
    expect(handlers.onJob).toHaveBeenCalledWith(job);
  });

  it('reconnects after a drop with backoff, sending the last event id', async () => {
    const first = controlledStream();
    const second = controlledStream();
    const open = vi
      .fn<(signal: AbortSignal, lastEventId: string | undefined) => Promise<ReadableStream<Uint8Array>>>()
      .mockResolvedValueOnce(first.stream)
      .mockRejectedValueOnce(new ApiError({ status: 0, code: 'network_error', message: 'x', source: 'bff' }))
      .mockResolvedValueOnce(second.stream);
    const backoff = vi.fn((_attempt: number) => 5);
    const { handlers, states } = recorder();
    connection = connectJobEvents(handlers, { open, backoff });
    await vi.waitFor(() => expect(states).toEqual(['connecting', 'live']));
    first.send(`id: 41\nevent: job\ndata: ${JSON.stringify(sampleJob())}\n\nevent: job\ndata: {"cut off`);
    first.close();

    await vi.waitFor(() => expect(open).toHaveBeenCalledTimes(3));
    expect(states).toEqual(['connecting', 'live', 'down', 'down', 'live']);
    expect(open.mock.calls.map(([, lastEventId]) => lastEventId)).toEqual([undefined, '41', '41']);
    expect(backoff.mock.calls.map(([attempt]) => attempt)).toEqual([0, 1]);
    // The frame cut off by the drop does not run into the new stream.
    second.send(`event: job\ndata: ${JSON.stringify(sampleJob({ id: 'job-0002' }))}\n\n`);
    await vi.waitFor(() => expect(handlers.onJob).toHaveBeenCalledTimes(2));
    expect(handlers.onJob.mock.calls[1]?.[0]).toMatchObject({ id: 'job-0002' });
  });

  it('waits as long as Retry-After asks when the jobs service is starting', async () => {
    const server = controlledStream();
    const open = vi
      .fn<() => Promise<ReadableStream<Uint8Array>>>()
      .mockRejectedValueOnce(
        new ApiError({
          status: 503,
          code: 'jobs_unavailable',
          message: 'x',
          source: 'bff',
          retryAfterMs: 150,
        }),
      )
      .mockResolvedValueOnce(server.stream);
    const { handlers } = recorder();
    const startedAt = Date.now();
    connection = connectJobEvents(handlers, { open, backoff: () => 1 });
    await vi.waitFor(() => expect(open).toHaveBeenCalledTimes(2));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
  });

  it('stops for good on 401 and lets the session logic know', async () => {
    const open = vi.fn(async () => {
      throw new ApiError({ status: 401, code: 'session_expired', message: 'x', source: 'bff' });
    });
    const { handlers, states } = recorder();
    connection = connectJobEvents(handlers, { open, backoff: () => 1 });
    await vi.waitFor(() => expect(handlers.onUnauthorized).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(open).toHaveBeenCalledTimes(1);
    expect(states).toEqual(['connecting', 'stopped']);
  });

  it('takes a connection that has gone quiet (no keep-alive) for dead and reconnects', async () => {
    const quiet = controlledStream();
    const next = controlledStream();
    const open = vi.fn().mockResolvedValueOnce(quiet.stream).mockResolvedValueOnce(next.stream);
    const { handlers, states } = recorder();
    connection = connectJobEvents(handlers, { open, backoff: () => 1, idleTimeoutMs: 40 });
    await vi.waitFor(() => expect(open).toHaveBeenCalledTimes(2));
    expect(states).toEqual(['connecting', 'live', 'down', 'live']);
    expect((open.mock.calls[0]?.[0] as AbortSignal | undefined)?.aborted).toBe(true);
  });

  it('stops reconnecting once closed', async () => {
    const open = vi.fn(async () => {
      throw new ApiError({ status: 502, code: 'upstream_unavailable', message: 'x', source: 'bff' });
    });
    const { handlers } = recorder();
    connection = connectJobEvents(handlers, { open, backoff: () => 20 });
    await vi.waitFor(() => expect(open).toHaveBeenCalledTimes(1));
    connection.close();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(open).toHaveBeenCalledTimes(1);
  });
});
