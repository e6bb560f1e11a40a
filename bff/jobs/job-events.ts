import type { JobRecord, JobStore } from './engine/index.ts';
import { type JobSummary, jobSummary } from './job-view.ts';

export interface JobNotification {
  id: string;
  jobId: string;
  jobType: string;
  kind: 'paused' | 'failed' | 'completed';
  pausedReason: string | null;
  message: string;
  at: string;
}

export type LiveEvent = { type: 'job'; data: JobSummary } | { type: 'notification'; data: JobNotification };

interface Subscriber {
  sub: string;
  send: (event: LiveEvent) => void;
}

const NOTIFY: Record<string, JobNotification['kind']> = {
  paused: 'paused',
  failed: 'failed',
  completed: 'completed',
};

/** The notification's sentence; the SPA puts the job type and what happened in front of it. */
function notificationMessage(job: JobRecord): string {
  if (job.status === 'paused') {
    return job.pausedReason === 'credentials'
      ? "The automation account's credentials were refused. Resume the job once they are fixed."
      : 'The sign-in service is unavailable. The job resumes by itself.';
  }
  if (job.status === 'failed') return job.error ?? 'See the job for details.';
  return `${job.progress.done} of ${job.progress.total ?? job.progress.done} done.`;
}

/**
 * Live job updates for the browsers connected to this instance. Every signed-in user sees every job
 * (viewers read-only); a job's initiator is also notified when it pauses, fails or finishes. Progress
 * of one job is sent at most every `throttleMs` (with its outcome counts); status changes at once.
 */
export class JobEvents {
  readonly #subscribers = new Set<Subscriber>();
  readonly #lastStatus = new Map<string, string>();
  readonly #pending = new Map<string, JobRecord>();
  readonly #store: () => JobStore | undefined;
  readonly #throttleMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: { store: () => JobStore | undefined; throttleMs?: number }) {
    this.#store = options.store;
    this.#throttleMs = options.throttleMs ?? 250;
  }

  subscribe(sub: string, send: (event: LiveEvent) => void): () => void {
    const subscriber = { sub, send };
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Called by the runner after every committed change. */
  changed(job: JobRecord): void {
    const previous = this.#lastStatus.get(job.id);
    this.#pending.set(job.id, job);
    if (previous !== job.status) {
      this.#lastStatus.set(job.id, job.status);
      const kind = NOTIFY[job.status];
      if (kind) this.#notify(job, kind);
      this.#schedule(0);
    } else {
      this.#schedule(this.#throttleMs);
    }
    if (this.#lastStatus.size > 10_000) {
      const oldest = this.#lastStatus.keys().next().value;
      if (oldest !== undefined) this.#lastStatus.delete(oldest);
    }
  }

  #notify(job: JobRecord, kind: JobNotification['kind']): void {
    const notification: JobNotification = {
      // Stable across restarts and instances: one id per status change of a job.
      id: `${job.id}:${job.status}:${job.updatedAt.getTime()}`,
      jobId: job.id,
      jobType: job.type,
      kind,
      pausedReason: job.pausedReason,
      message: notificationMessage(job),
      at: job.updatedAt.toISOString(),
    };
    for (const subscriber of this.#subscribers) {
      if (subscriber.sub === job.initiatedBy.sub)
        subscriber.send({ type: 'notification', data: notification });
    }
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, delayMs);
    this.#timer.unref?.();
  }

  async #flush(): Promise<void> {
    const jobs = [...this.#pending.values()];
    this.#pending.clear();
    if (jobs.length === 0 || this.#subscribers.size === 0) return;
    const counts =
      (await this.#store()
        ?.outcomeCounts(jobs.map((job) => job.id))
        .catch(() => undefined)) ?? new Map();
    for (const job of jobs) {
      const event: LiveEvent = { type: 'job', data: jobSummary(job, counts.get(job.id) ?? {}) };
      for (const subscriber of this.#subscribers) subscriber.send(event);
    }
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#subscribers.clear();
  }
}
