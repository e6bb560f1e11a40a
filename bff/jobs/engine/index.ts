/**
 * The jobs engine: a database (PGlite or PostgreSQL), a store of jobs with their per-item outcomes
 * and audit trail, and a runner on pg-boss that runs handlers in checkpointed steps. The rest of the
 * BFF depends on these names only, so the engine underneath can be swapped.
 */
export {
  type JobsDatabase,
  type OpenJobsDatabaseOptions,
  openJobsDatabase,
  type SqlExecutor,
} from './database.ts';
export { JobsError, type JobsErrorCode } from './errors.ts';
export {
  type JobHandler,
  JobPause,
  JobRunner,
  type JobRunnerOptions,
  type StepContext,
  StepInterrupted,
} from './job-runner.ts';
export type { Actor, JobEvent, JobItem, JobRecord, Json, NewJob } from './job-store.ts';
export { JobStore } from './job-store.ts';
export {
  allowedTransitions,
  isFinished,
  type JobStatus,
  jobStatuses,
  type PausedReason,
} from './transitions.ts';
