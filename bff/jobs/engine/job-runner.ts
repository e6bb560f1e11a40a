import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { BossSqlExecutor, JobsDatabase } from './database.ts';
import { JobsError } from './errors.ts';
import { type Actor, type JobRecord, JobStore, type Json, type NewJob } from './job-store.ts';
import { migrateJobsSchema } from './schema.ts';
import type { PausedReason } from './transitions.ts';

/**
 * Thrown by a handler to pause its job: `credentials` waits for a person to resume it,
 * `idp_unavailable` is resumed by the runner itself after a delay.
 */
export class JobPause extends Error {
  readonly code = 'job_paused';
  readonly reason: PausedReason;

  constructor(reason: PausedReason, message = `Job paused: ${reason}`) {
    super(message);
    this.name = 'JobPause';
    this.reason = reason;
  }
}

/**
 * Thrown out of `saveCheckpoint` to end the handler's run early: the job was cancelled, the slice
 * used its time (the job continues in a new pg-boss job), the runner is stopping, or another
 * worker took the job over. Handlers let it pass (do not swallow errors they do not know).
 */
export class StepInterrupted extends Error {
  readonly code = 'step_interrupted';
  readonly why: 'cancelled' | 'slice_over' | 'stopping' | 'lease_lost' | 'waiting';

  constructor(why: StepInterrupted['why']) {
    super(`Step interrupted: ${why}`);
    this.name = 'StepInterrupted';
    this.why = why;
  }
}

export interface StepContext {
  /** The job as it was when this run of the handler began. */
  readonly job: JobRecord;
  /** Where the last committed step left off; null on the first run. */
  readonly checkpoint: Json;
  /** Buffers an item's outcome; it is committed with the next `saveCheckpoint`. */
  recordItem(key: string, outcome: string, detail?: Json): void;
  /** The number of items the job will handle, once known (committed with the next checkpoint). */
  setTotal(total: number): void;
  /** Buffers an audit event of the job's own (a batch began, a threshold was passed). */
  recordEvent(kind: string, detail: { [key: string]: Json }): void;
  /** Buffers the next part of the job's result file; it is committed with the next checkpoint. */
  appendResult(body: Uint8Array | string, contentType: string): void;
  /**
   * Commits the buffered items, `next` and the cumulative `itemsDone` in one transaction. Throws
   * `StepInterrupted` when the handler should return now (its work so far is safe).
   */
  saveCheckpoint(next: Json, itemsDone: number): Promise<void>;
  saveResult(body: Uint8Array | string, contentType: string): Promise<void>;
  /**
   * Commits like `saveCheckpoint`, then lets the job sleep (still `running`, holding no worker)
   * until `at`, when it continues from `next`. Always throws `StepInterrupted` (`waiting`).
   */
  waitUntil(at: Date, next: Json, itemsDone: number): Promise<never>;
  /** True once the job is cancelled (seen at the last checkpoint, or by this process at once). */
  isCancelled(): boolean;
}

/** Runs a job from `context.checkpoint` to its end; returning means completed. */
export type JobHandler = (context: StepContext) => Promise<void>;

export interface JobRunnerOptions {
  db: JobsDatabase;
  /** Called after every committed change of a job's state or progress (the live-update layer). */
  onChange?: (job: JobRecord) => void;
  /** Errors that belong to no request: pg-boss's own, and a handler's failures. */
  onError?: (error: unknown) => void;
  queueName?: string;
  /**
   * A slice of work (one pg-boss job) left active this long is presumed dead and run again from the
   * job's checkpoint. Also the lease a worker holds on a job between checkpoints.
   */
  expireInSeconds?: number;
  /** Work in one pg-boss job before handing over to the next: keeps every slice well under expiry. */
  sliceSeconds?: number;
  /** Delay before a job paused with `idp_unavailable` runs again by itself. */
  idpRetryDelaySeconds?: number;
  /** How often pg-boss looks for expired slices. */
  maintenanceIntervalSeconds?: number;
  pollingIntervalSeconds?: number;
  /** Slices fetched (and run side by side) per poll. */
  batchSize?: number;
}

interface DispatchData {
  jobId: string;
  /** Set on the delayed dispatch of an `idp_unavailable` pause. */
  autoResume?: boolean;
}

interface ActiveSlice {
  cancelled: boolean;
}

/**
 * Runs jobs on pg-boss. A job is run in slices: each slice is one pg-boss job that takes a lease on
 * our job row, calls the handler from the last checkpoint, and either finishes the job or queues the
 * next slice in the same transaction that releases the lease. Our job row names the one pg-boss job
 * (`dispatch_id`) allowed to run it, so a stray or duplicate pg-boss job does nothing.
 */
export class JobRunner {
  readonly store: JobStore;
  readonly #db: JobsDatabase;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #active = new Map<string, ActiveSlice>();
  readonly #queue: string;
  readonly #expireInSeconds: number;
  readonly #sliceMs: number;
  readonly #idpRetryDelaySeconds: number;
  readonly #options: JobRunnerOptions;
  #boss: PgBoss | undefined;
  #workerId: string | undefined;
  #stopping = false;
  #abandoned = false;
  readonly #running = new Set<Promise<unknown>>();

  constructor(options: JobRunnerOptions) {
    this.#db = options.db;
    this.#options = options;
    this.store = new JobStore(options.db);
    this.#queue = options.queueName ?? 'automation-jobs';
    this.#expireInSeconds = options.expireInSeconds ?? 300;
    this.#sliceMs = (options.sliceSeconds ?? Math.max(1, this.#expireInSeconds / 4)) * 1000;
    this.#idpRetryDelaySeconds = options.idpRetryDelaySeconds ?? 60;
  }

  register(type: string, handler: JobHandler): void {
    this.#handlers.set(type, handler);
  }

  /** Migrates pg-boss's schema and ours, then starts fetching slices. */
  async start(): Promise<void> {
    const boss = new PgBoss({
      db: this.#db.boss as PgBoss.Db,
      migrate: true,
      supervise: true,
      // Cron schedules are not used by the engine yet; the timekeeper would only poll.
      schedule: false,
      // Expired slices (a dead worker) are found by maintenance: look often enough for the lease.
      maintenanceIntervalSeconds:
        this.#options.maintenanceIntervalSeconds ??
        Math.max(1, Math.min(30, Math.floor(this.#expireInSeconds / 2))),
    });
    boss.on('error', (error) => this.#reportError(error));
    await boss.start();
    await migrateJobsSchema(this.#db);
    if (!(await boss.getQueue(this.#queue))) {
      await boss.createQueue(this.#queue, { name: this.#queue, ...this.#sendOptions() });
    }
    this.#boss = boss;
    this.#workerId = await boss.work<DispatchData>(
      this.#queue,
      {
        batchSize: this.#options.batchSize ?? 4,
        pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? 1,
      },
      (jobs) => this.#track(Promise.all(jobs.map((job) => this.#runDispatch(job.id, job.data)))),
    );
  }

  /** Creates the job (with its audit event) and queues its first slice in one transaction. */
  async enqueue(job: NewJob): Promise<JobRecord> {
    const boss = this.#started();
    if (!this.#handlers.has(job.type)) {
      throw new JobsError('unknown_job_type', `No handler for job type ${job.type}.`);
    }
    const created = await this.store.create(job, async (tx, id) => {
      await this.#send(boss, tx.boss, id, { jobId: id });
    });
    this.#changed(created);
    this.#wake();
    return created;
  }

  async cancel(id: string, by: Actor): Promise<JobRecord> {
    const job = await this.store.transition(id, 'cancelled', { by });
    const active = this.#active.get(id);
    if (active) active.cancelled = true;
    this.#changed(job);
    return job;
  }

  /** A paused job goes back to the queue and continues from its checkpoint. */
  async resume(id: string, by: Actor | null, detail: { [key: string]: Json } = {}): Promise<JobRecord> {
    const boss = this.#started();
    const dispatchId = randomUUID();
    const job = await this.store.transition(id, 'queued', {
      by,
      dispatchId,
      detail,
      alsoInTransaction: (tx) => this.#send(boss, tx.boss, dispatchId, { jobId: id }, { id: dispatchId }),
    });
    this.#changed(job);
    this.#wake();
    return job;
  }

  /**
   * Graceful: running handlers stop at their next checkpoint and their jobs are queued to continue
   * (here or in another process), then pg-boss stops. The database stays open (the caller owns it).
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.allSettled([...this.#running]);
    await this.#boss?.stop({ graceful: true, close: false, wait: true, timeout: 5000 });
  }

  /**
   * As if the process died: fetching stops and running handlers are cut off from the database (their
   * next checkpoint commits nothing) without releasing their jobs. Another runner takes the jobs
   * over once their leases run out. For tests of recovery.
   */
  async abandon(): Promise<void> {
    this.#abandoned = true;
    await this.#boss?.stop({ graceful: false, close: false, wait: false });
  }

  #started(): PgBoss {
    if (!this.#boss || this.#stopping || this.#abandoned) {
      throw new JobsError('jobs_database_closed', 'The job runner is not running.');
    }
    return this.#boss;
  }

  #sendOptions() {
    return {
      expireInSeconds: this.#expireInSeconds,
      // Retries are how a slice whose worker died is run again; a handler's own failure ends the
      // job instead (it is caught before pg-boss sees it).
      retryLimit: 1000,
      retryDelay: 1,
      retryBackoff: false,
    };
  }

  async #send(
    boss: PgBoss,
    tx: BossSqlExecutor,
    dispatchId: string,
    data: DispatchData,
    extra: { id?: string; startAfter?: number } = {},
  ): Promise<void> {
    await boss.send(this.#queue, data, {
      ...this.#sendOptions(),
      id: extra.id ?? dispatchId,
      ...(extra.startAfter !== undefined ? { startAfter: extra.startAfter } : {}),
      db: tx as PgBoss.Db,
    });
  }

  #wake(): void {
    if (this.#boss && this.#workerId) this.#boss.notifyWorker(this.#workerId);
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#running.add(promise);
    return promise.finally(() => this.#running.delete(promise));
  }

  /** One slice of one job. Only a live lease held by another worker is reported to pg-boss (retry). */
  async #runDispatch(dispatchId: string, data: DispatchData): Promise<void> {
    if (this.#abandoned) return;
    if (data.autoResume) {
      const job = await this.store.get(data.jobId);
      if (job?.status === 'paused' && job.pausedReason === 'idp_unavailable') {
        try {
          await this.resume(data.jobId, null, { automatic: true });
        } catch (error) {
          // A person resumed or cancelled it in the meantime.
          if (!(error instanceof JobsError && error.code === 'illegal_transition')) throw error;
        }
      }
      return;
    }
    const token = randomUUID();
    const lease = await this.store.acquireLease(data.jobId, dispatchId, token, this.#expireInSeconds);
    if (!lease.taken) {
      if (lease.why === 'lease_held' && this.#boss) {
        // A worker still holds it (or died recently): let pg-boss try this slice again later.
        await this.#boss.fail(this.#queue, dispatchId, { message: 'lease held' });
      }
      return;
    }
    this.#changed(lease.job);
    await this.#runSlice(lease.job, token);
  }

  async #runSlice(job: JobRecord, token: string): Promise<void> {
    const handler = this.#handlers.get(job.type);
    if (!handler) {
      await this.#finish(job.id, token, 'failed', `No handler for job type ${job.type}.`);
      return;
    }
    const slice: ActiveSlice = { cancelled: false };
    this.#active.set(job.id, slice);
    const startedAt = Date.now();
    let pending: { key: string; outcome: string; detail: Json }[] = [];
    let events: { kind: string; detail: { [key: string]: Json } }[] = [];
    let resultParts: Buffer[] = [];
    let resultType = 'application/octet-stream';
    let total: number | undefined;
    let wakeAt: Date | undefined;
    let lastCheckpoint: Json = job.checkpoint;
    let lastDone = job.progress.done;
    const commit = async (next: Json, itemsDone: number) => {
      if (this.#abandoned) throw new StepInterrupted('lease_lost');
      const items = pending;
      const stepEvents = events;
      const parts = resultParts;
      pending = [];
      events = [];
      resultParts = [];
      const saved = await this.store.commitStep(
        job.id,
        token,
        {
          checkpoint: next,
          progressDone: itemsDone,
          progressTotal: total,
          items,
          events: stepEvents,
          ...(parts.length > 0
            ? { resultPart: { body: Buffer.concat(parts), contentType: resultType } }
            : {}),
        },
        this.#expireInSeconds,
      );
      lastCheckpoint = next;
      lastDone = itemsDone;
      this.#changed(saved);
      if (saved.status === 'cancelled') slice.cancelled = true;
    };
    const context: StepContext = {
      job,
      checkpoint: job.checkpoint,
      recordItem: (key, outcome, detail = null) => {
        pending.push({ key, outcome, detail });
      },
      setTotal: (value) => {
        total = value;
      },
      recordEvent: (kind, detail) => {
        events.push({ kind, detail });
      },
      appendResult: (body, contentType) => {
        resultParts.push(typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body));
        resultType = contentType;
      },
      saveCheckpoint: async (next, itemsDone) => {
        try {
          await commit(next, itemsDone);
        } catch (error) {
          if (error instanceof JobsError && error.code === 'lease_lost')
            throw new StepInterrupted('lease_lost');
          throw error;
        }
        if (slice.cancelled) throw new StepInterrupted('cancelled');
        if (this.#stopping) throw new StepInterrupted('stopping');
        if (Date.now() - startedAt >= this.#sliceMs) throw new StepInterrupted('slice_over');
      },
      saveResult: async (body, contentType) => {
        if (this.#abandoned) throw new StepInterrupted('lease_lost');
        await this.store.saveResult(job.id, token, body, contentType);
      },
      isCancelled: () => slice.cancelled,
      waitUntil: async (at, next, itemsDone) => {
        await context.saveCheckpoint(next, itemsDone).catch((error: unknown) => {
          // Only a cancel or a lost lease stops the wait; time and shutdown are what waiting is for.
          if (!(error instanceof StepInterrupted) || error.why === 'cancelled' || error.why === 'lease_lost')
            throw error;
        });
        wakeAt = at;
        throw new StepInterrupted('waiting');
      },
    };
    try {
      await handler(context);
      if (this.#abandoned) return;
      if (pending.length > 0 || events.length > 0 || resultParts.length > 0 || total !== undefined)
        await commit(lastCheckpoint, lastDone);
      await this.#finish(job.id, token, slice.cancelled ? 'cancelled' : 'completed');
    } catch (error) {
      if (this.#abandoned) return;
      if (error instanceof StepInterrupted) {
        if (error.why === 'slice_over' || error.why === 'stopping') await this.#continueLater(job.id, token);
        if (error.why === 'waiting') await this.#continueLater(job.id, token, wakeAt);
        // cancelled: the cancel already ended the job; lease_lost: another worker runs it now.
        if (error.why === 'cancelled') await this.#releaseLease(job.id, token);
        return;
      }
      if (error instanceof JobPause) {
        await this.#pause(job.id, token, error);
        return;
      }
      this.#reportError(error);
      await this.#finish(job.id, token, 'failed', error instanceof Error ? error.message : String(error));
    } finally {
      if (this.#active.get(job.id) === slice) this.#active.delete(job.id);
    }
  }

  async #finish(id: string, token: string, to: 'completed' | 'failed' | 'cancelled', error?: string) {
    if (to === 'cancelled') {
      await this.#releaseLease(id, token);
      return;
    }
    try {
      this.#changed(
        await this.store.transition(id, to, { by: null, leaseToken: token, ...(error ? { error } : {}) }),
      );
    } catch (failure) {
      // Cancelled while the last step ran, or taken over: the job's state is already someone else's.
      if (
        !(
          failure instanceof JobsError &&
          (failure.code === 'illegal_transition' || failure.code === 'lease_lost')
        )
      ) {
        throw failure;
      }
    }
  }

  async #pause(id: string, token: string, pause: JobPause): Promise<void> {
    const boss = this.#boss;
    if (!boss) return;
    const automatic = pause.reason === 'idp_unavailable';
    const dispatchId = randomUUID();
    try {
      const job = await this.store.transition(id, 'paused', {
        by: null,
        pausedReason: pause.reason,
        leaseToken: token,
        detail: {
          message: pause.message,
          ...(automatic ? { resumesInSeconds: this.#idpRetryDelaySeconds } : {}),
        },
        ...(automatic
          ? {
              dispatchId,
              alsoInTransaction: (tx) =>
                this.#send(
                  boss,
                  tx.boss,
                  dispatchId,
                  { jobId: id, autoResume: true },
                  { startAfter: this.#idpRetryDelaySeconds },
                ),
            }
          : {}),
      });
      this.#changed(job);
    } catch (failure) {
      if (
        !(
          failure instanceof JobsError &&
          (failure.code === 'illegal_transition' || failure.code === 'lease_lost')
        )
      ) {
        throw failure;
      }
    }
  }

  async #continueLater(id: string, token: string, at?: Date): Promise<void> {
    const boss = this.#boss;
    if (!boss) return;
    const next = randomUUID();
    const delaySeconds = at ? Math.max(0, Math.ceil((at.getTime() - Date.now()) / 1000)) : 0;
    const queued = await this.store.continueLater(id, token, next, (tx) =>
      this.#send(boss, tx.boss, next, { jobId: id }, delaySeconds > 0 ? { startAfter: delaySeconds } : {}),
    );
    if (queued && !this.#stopping && delaySeconds === 0) this.#wake();
  }

  async #releaseLease(id: string, token: string): Promise<void> {
    await this.store.continueLater(id, token, randomUUID(), async () => {});
  }

  #changed(job: JobRecord): void {
    try {
      this.#options.onChange?.(job);
    } catch (error) {
      this.#reportError(error);
    }
  }

  #reportError(error: unknown): void {
    this.#options.onError?.(error);
  }
}
