// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobEventHandlers } from '../api/job-events.ts';
import type { JobNotification, JobPage } from '../api/job-types.ts';
import { queryKeys } from '../api/query-keys.ts';
import { LiveUpdates } from '../app/live-updates.tsx';
import { LiveState } from '../jobs/JobParts.tsx';
import { jobListFilters } from '../router/routes.ts';
import { sampleJob } from '../test-support.ts';
import { JobNotificationRegion } from './JobNotificationRegion.tsx';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function renderLive() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  let handlers: JobEventHandlers | undefined;
  const close = vi.fn();
  const connect = vi.fn((h: JobEventHandlers) => {
    handlers = h;
    return { close };
  });
  const view = render(
    <QueryClientProvider client={client}>
      <LiveUpdates connect={connect}>
        <p>Some page</p>
        <LiveState />
        <JobNotificationRegion />
      </LiveUpdates>
    </QueryClientProvider>,
  );
  const server = () => {
    if (!handlers) throw new Error('not connected');
    return handlers;
  };
  return { client, connect, close, server, ...view };
}

const pausedForCredentials: JobNotification = {
  id: 'ntf-1',
  jobId: 'job-0001',
  jobType: 'firmware-rollout',
  kind: 'paused',
  pausedReason: 'credentials',
  message: 'The device API refused the service account.',
  at: '2025-06-01T11:06:00.000Z',
};

describe('the notification region', () => {
  it('is always in the page as a polite status region, empty at first', () => {
    renderLive();
    const region = screen.getByRole('status', { name: 'Job notifications' });
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.textContent).toBe('');
  });

  it('shows a notification event with a link to the job, until dismissed', () => {
    const { server } = renderLive();
    act(() => server().onNotification(pausedForCredentials));
    const toast = screen.getByTestId('job-notification');
    expect(toast.textContent).toContain(
      'Firmware rollout paused — The device API refused the service account.',
    );
    expect(within(toast).getByRole('link', { name: 'Open job' }).getAttribute('href')).toBe('/jobs/job-0001');
    fireEvent.click(within(toast).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('job-notification')).toBeNull();
  });

  it('lets a completed job’s notification go by itself after about 10 s; a pause for credentials stays', () => {
    vi.useFakeTimers();
    const { server } = renderLive();
    act(() => {
      server().onNotification(pausedForCredentials);
      server().onNotification({
        ...pausedForCredentials,
        id: 'ntf-2',
        jobId: 'job-0003',
        jobType: 'telemetry-export',
        kind: 'completed',
        pausedReason: null,
        message: 'Exported 118 devices.',
      });
    });
    expect(screen.getAllByTestId('job-notification')).toHaveLength(2);
    act(() => vi.advanceTimersByTime(10_000));
    const left = screen.getAllByTestId('job-notification');
    expect(left).toHaveLength(1);
    expect(left[0]?.textContent).toContain('paused');
  });

  it('puts job events into the cached lists and says when the stream is live', () => {
    const { client, server } = renderLive();
    const filters = jobListFilters();
    client.setQueryData<JobPage>(queryKeys.jobs.list(filters), { items: [sampleJob()], total: 1 });
    expect(screen.queryByText('Live')).toBeNull();
    act(() => server().onState('live'));
    expect(screen.getByText('Live')).toBeTruthy();
    act(() =>
      server().onJob(
        sampleJob({ progress: { done: 90, total: 118 }, updatedAt: '2025-06-01T11:09:00.000Z' }),
      ),
    );
    expect(client.getQueryData<JobPage>(queryKeys.jobs.list(filters))?.items[0]?.progress.done).toBe(90);
    act(() => server().onState('down'));
    expect(screen.getByText('Live updates interrupted — refreshing every 5 s')).toBeTruthy();
  });

  it('opens one connection and closes it when the signed-in app goes away', () => {
    const { connect, close, unmount } = renderLive();
    expect(connect).toHaveBeenCalledTimes(1);
    unmount();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
