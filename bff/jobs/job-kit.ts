import type { AutomationApi } from './automation-api.ts';
import type { CommandTiming } from './device-commands.ts';
import type { JobRecord, NewJob } from './engine/index.ts';

/** What every job type's handler works with, passed in so tests can set the pace. */
export interface JobKit {
  /** The device API on the service account, with this job's attribution headers. */
  api(job: JobRecord): AutomationApi;
  timing: CommandTiming;
  /** Devices handled side by side within a batch. */
  concurrency: number;
  /** Queues another job (a schedule's run). */
  enqueue(job: NewJob): Promise<JobRecord>;
}

/** The checkpoint a handler saved, read back with the shape the handler gave it. */
export function checkpointOf<T extends object>(job: { checkpoint: unknown }): T | null {
  const value = job.checkpoint;
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as T) : null;
}
