import type { QueryClient } from '@tanstack/react-query';
import type { JobDetail, JobPage, JobStatus, JobSummary } from './job-types.ts';
import { queryKeys } from './query-keys.ts';

// Puts a job's latest summary (from the event stream, or from a cancel/resume answer) into every
// cached list and detail page at once. The summary has no per-device outcomes or audit events, so
// an open job page is also fetched again, at most every few seconds however many events arrive.

const timeOf = (iso: string): number => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
};

/** Events can overtake a fetch: never replace a summary with an older one. */
const isAtLeastAsNew = (next: JobSummary, cached: JobSummary) =>
  timeOf(next.updatedAt) >= timeOf(cached.updatedAt);

export interface AppliedSummary {
  /** The status the caches had before, when any of them held the job. */
  previousStatus: JobStatus | undefined;
  /** The done count the caches had before. */
  previousDone: number | undefined;
}

/** Writes the summary into every cached list page holding the job and every cached page of its detail. */
export function applyJobSummary(queryClient: QueryClient, job: JobSummary): AppliedSummary {
  let previousStatus: JobStatus | undefined;
  let previousDone: number | undefined;
  const remember = (cached: JobSummary) => {
    previousStatus ??= cached.status;
    previousDone ??= cached.progress.done;
  };
  queryClient.setQueriesData<JobDetail>({ queryKey: queryKeys.jobs.detail(job.id) }, (detail) => {
    if (!detail) return detail;
    remember(detail);
    return isAtLeastAsNew(job, detail) ? { ...detail, ...job } : detail;
  });
  queryClient.setQueriesData<JobPage>({ queryKey: queryKeys.jobs.lists() }, (page) => {
    const index = page?.items.findIndex((item) => item.id === job.id) ?? -1;
    const cached = page?.items[index];
    if (!page || !cached) return page;
    remember(cached);
    if (!isAtLeastAsNew(job, cached)) return page;
    const items = [...page.items];
    items[index] = job;
    return { ...page, items };
  });
  return { previousStatus, previousDone };
}

export interface JobCacheUpdater {
  /** A `job` event arrived. */
  onJob(job: JobSummary): void;
  /** The stream is back after a gap: fetch every job query again, events may have been missed. */
  refreshAll(): void;
  dispose(): void;
}

export const DETAIL_REFRESH_MS = 3_000;
export const LIST_REFRESH_MS = 2_000;

export function createJobCacheUpdater(
  queryClient: QueryClient,
  options: { detailRefreshMs?: number; listRefreshMs?: number } = {},
): JobCacheUpdater {
  const detailRefreshMs = options.detailRefreshMs ?? DETAIL_REFRESH_MS;
  const listRefreshMs = options.listRefreshMs ?? LIST_REFRESH_MS;
  // The last status this updater saw per job: a new job or a changed status can move a job into
  // or out of a filtered list, which only the server can answer.
  const lastStatus = new Map<string, JobStatus>();
  const slots = new Map<string, { again: boolean; timer: ReturnType<typeof setTimeout> }>();

  /** Runs at once, then at most once per `ms` per key, with one trailing run for calls in between. */
  const throttled = (key: string, ms: number, run: () => void) => {
    const slot = slots.get(key);
    if (slot) {
      slot.again = true;
      return;
    }
    run();
    const entry = {
      again: false,
      timer: setTimeout(() => {
        slots.delete(key);
        if (entry.again) throttled(key, ms, run);
      }, ms),
    };
    slots.set(key, entry);
  };

  const refreshLists = () =>
    throttled('lists', listRefreshMs, () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.lists() });
    });
  const refreshDetail = (id: string) =>
    throttled(`detail:${id}`, detailRefreshMs, () => {
      // Only open job pages fetch; others are just marked stale.
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.detail(id), refetchType: 'active' });
    });

  return {
    onJob(job) {
      const { previousStatus, previousDone } = applyJobSummary(queryClient, job);
      const known = lastStatus.get(job.id) ?? previousStatus;
      lastStatus.set(job.id, job.status);
      if (known !== job.status) {
        refreshLists();
        refreshDetail(job.id);
      } else if (previousDone !== job.progress.done) {
        refreshDetail(job.id);
      }
    },
    refreshAll() {
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all() });
    },
    dispose() {
      for (const slot of slots.values()) clearTimeout(slot.timer);
      slots.clear();
    },
  };
}
