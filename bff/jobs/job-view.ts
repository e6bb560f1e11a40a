import type { JobEvent, JobItem, JobRecord } from './engine/index.ts';
import { checkpointOf } from './job-kit.ts';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** A job as the SPA lists it (and as the `job` server-sent event carries it). */
export function jobSummary(job: JobRecord, outcomes: Record<string, number> = {}) {
  const nextRunAt = checkpointOf<{ nextRunAt?: unknown }>(job)?.nextRunAt;
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    pausedReason: job.pausedReason,
    progress: job.progress,
    initiatedBy: { sub: job.initiatedBy.sub, name: job.initiatedBy.name },
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    error: job.error,
    hasResult: job.hasResult,
    nextRunAt: job.status === 'running' && typeof nextRunAt === 'string' ? nextRunAt : null,
    summary: outcomes,
  };
}
export type JobSummary = ReturnType<typeof jobSummary>;

/** An audit event with the person named (the name was recorded with it). */
export function eventView(event: JobEvent) {
  const detail =
    event.detail !== null && typeof event.detail === 'object' && !Array.isArray(event.detail)
      ? event.detail
      : {};
  const name = typeof detail.byName === 'string' ? detail.byName : null;
  return {
    at: event.at.toISOString(),
    kind: event.kind,
    by: event.by ? { sub: event.by, name } : null,
    detail: event.detail,
  };
}

export function itemView(item: JobItem) {
  return { key: item.key, outcome: item.outcome, detail: item.detail, at: item.at.toISOString() };
}
