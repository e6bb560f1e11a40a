/** Stable codes of the jobs engine: callers branch on `code`, never on `message`. */
export type JobsErrorCode =
  | 'jobs_database_locked'
  | 'jobs_database_closed'
  | 'job_not_found'
  | 'illegal_transition'
  | 'unknown_job_type'
  | 'lease_lost'
  | 'lease_held';

export class JobsError extends Error {
  readonly code: JobsErrorCode;

  constructor(code: JobsErrorCode, message: string) {
    super(message);
    this.name = 'JobsError';
    this.code = code;
  }
}
