import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jobListFilters } from '../router/routes.ts';
import { sampleJob, sampleJobDetail } from '../test-support.ts';
import { applyJobSummary, createJobCacheUpdater } from './job-cache.ts';
import type { JobDetail, JobPage } from './job-types.ts';
import { queryKeys } from './query-keys.ts';

const later = (minutes: number) =>
  new Date(Date.parse('2025-06-01T11:05:00.000Z') + minutes * 60_000).toISOString();

function seeded() {
  const client = new QueryClient();
  const all = jobListFilters();
  const paused = jobListFilters({ status: 'paused' });
  client.setQueryData<JobPage>(queryKeys.jobs.list(all), {
    items: [sampleJob(), sampleJob({ id: 'job-0000', status: 'completed' })],
    total: 2,
  });
  client.setQueryData<JobPage>(queryKeys.jobs.list(paused), { items: [], total: 0 });
  client.setQueryData<JobDetail>(queryKeys.jobs.detailPage('job-0001', 0), sampleJobDetail());
  client.setQueryData<JobDetail>(queryKeys.jobs.detailPage('job-0001', 100), sampleJobDetail());
  return { client, all, paused };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('applyJobSummary', () => {
  it('updates the job in every list and every page of its detail, keeping the rest of the detail', () => {
    const { client, all } = seeded();
    const update = sampleJob({ progress: { done: 80, total: 118 }, updatedAt: later(1) });
    expect(applyJobSummary(client, update)).toEqual({ previousStatus: 'running', previousDone: 40 });
    expect(client.getQueryData<JobPage>(queryKeys.jobs.list(all))?.items[0]?.progress.done).toBe(80);
    expect(client.getQueryData<JobPage>(queryKeys.jobs.list(all))?.items[1]?.id).toBe('job-0000');
    for (const offset of [0, 100]) {
      const detail = client.getQueryData<JobDetail>(queryKeys.jobs.detailPage('job-0001', offset));
      expect(detail?.progress.done).toBe(80);
      expect(detail?.events).toHaveLength(3);
      expect(detail?.params).toMatchObject({ version: '3.1.0' });
    }
  });

  it('never replaces a summary with an older one (an event overtaken by a fetch)', () => {
    const { client, all } = seeded();
    applyJobSummary(client, sampleJob({ progress: { done: 1, total: 118 }, updatedAt: later(-1) }));
    expect(client.getQueryData<JobPage>(queryKeys.jobs.list(all))?.items[0]?.progress.done).toBe(40);
  });

  it('reports an unknown job as such', () => {
    const { client } = seeded();
    expect(applyJobSummary(client, sampleJob({ id: 'job-9999' }))).toEqual({
      previousStatus: undefined,
      previousDone: undefined,
    });
  });
});

describe('the job cache updater', () => {
  it('fetches lists again when a job appears or changes status, and an open detail at most every few seconds', async () => {
    vi.useFakeTimers();
    const { client, paused } = seeded();
    const fetched: string[] = [];
    client.setQueryDefaults(['bff', 'jobs'], {
      queryFn: ({ queryKey }) => {
        fetched.push(JSON.stringify(queryKey));
        return client.getQueryData(queryKey) ?? null;
      },
    });
    // The job's page is open (an observer), the paused list too.
    const detailObserver = new QueryObserver(client, { queryKey: queryKeys.jobs.detailPage('job-0001', 0) });
    const unsubscribe = detailObserver.subscribe(() => undefined);
    const listObserver = new QueryObserver(client, { queryKey: queryKeys.jobs.list(paused) });
    const unsubscribeList = listObserver.subscribe(() => undefined);
    fetched.length = 0;

    const updater = createJobCacheUpdater(client, { detailRefreshMs: 3_000, listRefreshMs: 2_000 });
    // Progress only: the detail is fetched (for its outcomes and events), the lists are not.
    for (let i = 1; i <= 5; i++)
      updater.onJob(sampleJob({ progress: { done: 40 + i, total: 118 }, updatedAt: later(i) }));
    await vi.advanceTimersByTimeAsync(0);
    expect(fetched.filter((k) => k.includes('detail'))).toHaveLength(1);
    expect(fetched.filter((k) => k.includes('list'))).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(3_000);
    // One trailing fetch for the events in between, not one per event.
    expect(fetched.filter((k) => k.includes('detail'))).toHaveLength(2);

    // Paused: it may now belong in the "paused" list.
    updater.onJob(sampleJob({ status: 'paused', pausedReason: 'credentials', updatedAt: later(10) }));
    await vi.advanceTimersByTimeAsync(0);
    expect(fetched.filter((k) => k.includes('list'))).toHaveLength(1);
    expect(client.getQueryData<JobDetail>(queryKeys.jobs.detailPage('job-0001', 0))?.status).toBe('paused');

    updater.dispose();
    unsubscribe();
    unsubscribeList();
  });
});
