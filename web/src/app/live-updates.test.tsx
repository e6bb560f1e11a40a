// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SilentSignInGuard } from '../signin/silent-sign-in-guard.ts';
import { readStartupParams } from '../signin/startup-params.ts';
import { fakeServer, json, operatorSession, sampleJob, sampleJobDetail } from '../test-support.ts';
import { App } from './App.tsx';
import { createAppServices } from './services.ts';

// The whole signed-in app on a fake BFF whose /bff/events streams frames: notifications appear on
// any page, and job events move a job's page without waiting for a poll.

function eventStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  return {
    body,
    send: (event: string, data: unknown) =>
      controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
    end: () => {
      try {
        controller.close();
      } catch {
        // already cancelled by the client
      }
    },
  };
}

function openApp(href: string) {
  const { params } = readStartupParams(new URL(href, window.location.origin));
  window.history.replaceState(null, '', href);
  const guard: SilentSignInGuard = { tryBegin: vi.fn(() => true) };
  const services = createAppServices({
    startup: params,
    guard,
    currentReturnTo: () => window.location.pathname,
    assign: vi.fn(),
  });
  render(<App queryClient={services.queryClient} sessionEnded={services.sessionEnded} startup={params} />);
}

const streams: ReturnType<typeof eventStream>[] = [];
afterEach(() => {
  cleanup();
  for (const stream of streams.splice(0)) stream.end();
  vi.unstubAllGlobals();
});

describe('live updates in the signed-in app', () => {
  it('show a notification on any page, and Open job goes to the job, which moves with job events', async () => {
    const stream = eventStream();
    streams.push(stream);
    let job = sampleJobDetail({ status: 'paused', pausedReason: 'credentials' });
    const { calls } = fakeServer({
      'GET /bff/session': () => json(200, operatorSession),
      'GET /bff/events': () =>
        new Response(stream.body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
      'GET /api/alerts': () => json(200, { items: [], total: 0, limit: 200, offset: 0 }),
      'GET /bff/jobs/job-0001': () => json(200, job),
    });
    openApp('/alerts');
    await screen.findByText('No active alerts.');
    await waitFor(() => expect(calls.some((c) => c.path === '/bff/events')).toBe(true));
    expect(calls.find((c) => c.path === '/bff/events')?.headers).toMatchObject({
      'X-CSRF': '1',
      Accept: 'text/event-stream',
    });

    stream.send('notification', {
      id: 'ntf-1',
      jobId: 'job-0001',
      jobType: 'firmware-rollout',
      kind: 'paused',
      pausedReason: 'credentials',
      message: 'The device API refused the service account.',
      at: '2025-06-01T11:06:00.000Z',
    });
    const toast = await screen.findByTestId('job-notification');
    expect(
      within(screen.getByRole('status', { name: 'Job notifications' })).getByText(/paused/),
    ).toBeTruthy();
    fireEvent.click(within(toast).getByRole('link', { name: 'Open job' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Firmware rollout' })).toBeTruthy();
    expect(window.location.pathname).toBe('/jobs/job-0001');
    expect(screen.getByRole('button', { name: 'Resume' })).toBeTruthy();
    // Still there on the next page: a pause for credentials stays until dismissed.
    expect(screen.getByTestId('job-notification')).toBeTruthy();

    job = {
      ...job,
      status: 'running',
      pausedReason: null,
      progress: { done: 90, total: 118 },
      updatedAt: '2025-06-01T11:20:00.000Z',
    };
    stream.send(
      'job',
      sampleJob({ progress: { done: 90, total: 118 }, updatedAt: '2025-06-01T11:20:00.000Z' }),
    );
    await screen.findByText('90 of 118');
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
  });
});
