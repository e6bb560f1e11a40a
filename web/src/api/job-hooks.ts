import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { JobListFilters } from '../router/routes.ts';
import { hasCode } from './api-error.ts';
import { request, requestFile } from './http.ts';
import { applyJobSummary } from './job-cache.ts';
import { useJobStreamLive } from './job-stream-state.ts';
import {
  type DeviceSelection,
  isFinished,
  type JobDetail,
  type JobPage,
  type JobSummary,
  type StartJobRequest,
} from './job-types.ts';
import { queryKeys } from './query-keys.ts';
import type { DeviceModel, DevicePage, Site } from './types.ts';

export const JOBS_PAGE_SIZE = 50;
export const JOB_ITEMS_PAGE_SIZE = 100;
/** While the event stream is down: poll, so progress still moves. */
export const JOBS_FALLBACK_POLL_MS = 5_000;
/** While it is up the events carry the changes; a slow poll only guards against a lost one. */
export const JOBS_LIVE_POLL_MS = 60_000;

const jobPath = (id: string) => `/bff/jobs/${encodeURIComponent(id)}`;

export function jobListPath(filters: JobListFilters): string {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.type) params.set('type', filters.type);
  if (filters.mine) params.set('mine', 'true');
  params.set('limit', String(JOBS_PAGE_SIZE));
  params.set('offset', String((filters.page - 1) * JOBS_PAGE_SIZE));
  return `/bff/jobs?${params}`;
}

export const jobListQuery = (filters: JobListFilters, live: boolean) =>
  queryOptions({
    queryKey: queryKeys.jobs.list(filters),
    queryFn: ({ signal }) => request<JobPage>(jobListPath(filters), { signal }),
    refetchInterval: live ? JOBS_LIVE_POLL_MS : JOBS_FALLBACK_POLL_MS,
    placeholderData: keepPreviousData,
  });

/** Jobs newest first (the BFF's order), one page, kept current by events or by polling. */
export function useJobs(filters: JobListFilters) {
  return useQuery(jobListQuery(filters, useJobStreamLive()));
}

export const jobDetailQuery = (id: string, itemsOffset: number, live: boolean) =>
  queryOptions({
    queryKey: queryKeys.jobs.detailPage(id, itemsOffset),
    queryFn: ({ signal }) =>
      request<JobDetail>(`${jobPath(id)}?itemsOffset=${itemsOffset}&itemsLimit=${JOB_ITEMS_PAGE_SIZE}`, {
        signal,
      }),
    // A finished job changes no more (a scheduled recalibration waits for its next run instead).
    refetchInterval: (query) => {
      const job = query.state.data;
      if (job && isFinished(job.status) && !job.nextRunAt) return false;
      return live ? JOBS_LIVE_POLL_MS : JOBS_FALLBACK_POLL_MS;
    },
    placeholderData: keepPreviousData,
  });

/** One job with a page of its per-device outcomes and its audit trail. */
export function useJob(id: string, itemsOffset: number) {
  return useQuery(jobDetailQuery(id, itemsOffset, useJobStreamLive()));
}

/** Starts a job (202 with its id). Never retried: a rollout must not start twice. */
export function useStartJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (job: StartJobRequest) => request<{ id: string }>('/bff/jobs', { method: 'POST', body: job }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.jobs.lists() }),
  });
}

export type JobAction = 'cancel' | 'resume';

/** Cancels or resumes a job; the answer (the job's summary) is shown at once. */
export function useJobAction(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: JobAction) => request<JobSummary>(`${jobPath(id)}/${action}`, { method: 'POST' }),
    onSuccess: async (job) => {
      applyJobSummary(queryClient, job);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.jobs.detail(id) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.jobs.lists() }),
      ]);
    },
    onError: (error) => {
      // 409: the job moved on meanwhile; show where it is now.
      if (hasCode(error, 'conflict'))
        void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.detail(id) });
    },
  });
}

/** Saves a Blob as a file through a temporary object URL (a plain link could not send X-CSRF). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cut the download short in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Downloads a job's result file with fetch (so it carries X-CSRF: 1) and saves it. */
export function useDownloadResult(id: string, save: (blob: Blob, filename: string) => void = saveBlob) {
  return useMutation({
    mutationFn: async () => {
      const { blob, filename } = await requestFile(`${jobPath(id)}/result`);
      save(blob, filename ?? `job-${id}-result`);
    },
  });
}

// Choices and the device count for the start form.

const CHOICES_STALE_MS = 5 * 60_000;

export const sitesQuery = queryOptions({
  queryKey: queryKeys.sites(),
  queryFn: async ({ signal }) => (await request<{ items: Site[] }>('/api/sites', { signal })).items,
  staleTime: CHOICES_STALE_MS,
  meta: { label: 'sites' },
});

export const modelsQuery = queryOptions({
  queryKey: queryKeys.models(),
  queryFn: async ({ signal }) => (await request<{ items: DeviceModel[] }>('/api/models', { signal })).items,
  staleTime: CHOICES_STALE_MS,
  meta: { label: 'models' },
});

export function deviceCountPath(selection: DeviceSelection): string {
  const params = new URLSearchParams();
  if (selection.site) params.set('site', selection.site);
  if (selection.model) params.set('model', selection.model);
  if (selection.status?.length) params.set('status', selection.status.join(','));
  if (selection.ids?.length) params.set('ids', selection.ids.join(','));
  params.set('limit', '1');
  return `/api/devices?${params}`;
}

/** How many devices a selection matches now (the API counts; one device comes along). */
export const deviceCountQuery = (selection: DeviceSelection) =>
  queryOptions({
    queryKey: queryKeys.devices.count(selection),
    queryFn: async ({ signal }) => (await request<DevicePage>(deviceCountPath(selection), { signal })).total,
    staleTime: 15_000,
    placeholderData: keepPreviousData,
    meta: { label: 'device count' },
  });
