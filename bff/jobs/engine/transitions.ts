import { JobsError } from './errors.ts';

export const jobStatuses = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];
export type PausedReason = 'credentials' | 'idp_unavailable';

/** The audit event each status change writes; its kind names what happened. */
export type TransitionKind = 'started' | 'paused' | 'resumed' | 'completed' | 'failed' | 'cancelled';

/**
 * Every allowed status change and the event it writes. Anything absent is refused: finished jobs
 * stay finished, and a paused job only runs again through a resume (back to the queue).
 */
export const allowedTransitions: Readonly<Record<JobStatus, Partial<Record<JobStatus, TransitionKind>>>> = {
  queued: { running: 'started', failed: 'failed', cancelled: 'cancelled' },
  running: { paused: 'paused', completed: 'completed', failed: 'failed', cancelled: 'cancelled' },
  paused: { queued: 'resumed', cancelled: 'cancelled' },
  completed: {},
  failed: {},
  cancelled: {},
};

export function transitionKind(from: JobStatus, to: JobStatus): TransitionKind {
  const kind = allowedTransitions[from][to];
  if (!kind) throw new JobsError('illegal_transition', `A job cannot go from ${from} to ${to}.`);
  return kind;
}

export function isFinished(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
