import { randomUUID } from 'node:crypto';
import type { JobsDatabase, SqlExecutor } from './database.ts';
import { JobsError } from './errors.ts';
import { type JobStatus, type PausedReason, type TransitionKind, transitionKind } from './transitions.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Actor {
  sub: string;
  name?: string;
}

export interface JobRecord {
  id: string;
  type: string;
  params: Json;
  status: JobStatus;
  pausedReason: PausedReason | null;
  initiatedBy: { sub: string; name: string | null; sessionId: string | null };
  permissionChecked: string;
  progress: { done: number; total: number | null };
  checkpoint: Json;
  error: string | null;
  /** A result was saved whole or in parts (see `StepCommit.resultPart`). */
  hasResult: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** When a runner first took the job; null while it waits in the queue. */
  startedAt: Date | null;
  /** When it completed, failed or was cancelled. */
  finishedAt: Date | null;
}

export interface JobItem {
  key: string;
  outcome: string;
  detail: Json;
  at: Date;
}

export interface JobEvent {
  at: Date;
  kind: string;
  by: string | null;
  detail: Json;
}

export interface NewJob {
  /** A caller-chosen id makes creating idempotent (a schedule's run); random when unset. */
  id?: string;
  type: string;
  params: Json;
  initiatedBy: { sub: string; name?: string; sessionId?: string };
  /** The permission the caller checked before asking (for example the scope `jobs:run`). */
  permissionChecked: string;
  progressTotal?: number;
}

export interface StepCommit {
  checkpoint: Json;
  progressDone: number;
  progressTotal?: number;
  items: readonly { key: string; outcome: string; detail: Json }[];
  /** Audit events the handler recorded in this step (system events: no person caused them). */
  events?: readonly { kind: string; detail: { [key: string]: Json } }[];
  /** The next part of a result written a step at a time. */
  resultPart?: { body: Uint8Array; contentType: string };
}

interface JobRow {
  id: string;
  type: string;
  params: Json;
  status: JobStatus;
  paused_reason: PausedReason | null;
  initiated_by_sub: string;
  initiated_by_name: string | null;
  initiated_session_id: string | null;
  permission_checked: string;
  progress_done: number;
  progress_total: number | null;
  checkpoint: Json;
  error: string | null;
  dispatch_id: string | null;
  lease_token: string | null;
  lease_live: boolean;
  has_result: boolean;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const jobColumns = `id, type, params, status, paused_reason, initiated_by_sub, initiated_by_name,
  initiated_session_id, permission_checked, progress_done, progress_total, checkpoint, error,
  dispatch_id, lease_token, (lease_until IS NOT NULL AND lease_until > now()) AS lease_live,
  (result IS NOT NULL OR EXISTS (SELECT 1 FROM job_result_parts p WHERE p.job_id = jobs.id)) AS has_result,
  created_at, updated_at, started_at, finished_at`;

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    type: row.type,
    params: row.params,
    status: row.status,
    pausedReason: row.paused_reason,
    initiatedBy: {
      sub: row.initiated_by_sub,
      name: row.initiated_by_name,
      sessionId: row.initiated_session_id,
    },
    permissionChecked: row.permission_checked,
    progress: { done: row.progress_done, total: row.progress_total },
    checkpoint: row.checkpoint,
    error: row.error,
    hasResult: row.has_result,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

const json = (value: Json | undefined): string | null => (value === undefined ? null : JSON.stringify(value));

/** What a runner learns when it tries to take a job for one slice of work. */
export type LeaseOutcome =
  | { taken: true; job: JobRecord }
  | { taken: false; why: 'not_found' | 'stale_dispatch' | 'not_runnable' | 'lease_held'; job?: JobRecord };

/**
 * Jobs, their per-item outcomes and their audit trail. Every status change goes through
 * `transition`, which checks the transition table and writes the event in the same transaction.
 */
export class JobStore {
  readonly #db: JobsDatabase;

  constructor(db: JobsDatabase) {
    this.#db = db;
  }

  /** Inserts the job and its `created` event; `alsoInTransaction` queues it (pg-boss) atomically. */
  async create(
    input: NewJob,
    alsoInTransaction?: (
      tx: Parameters<Parameters<JobsDatabase['transaction']>[0]>[0],
      id: string,
    ) => Promise<void>,
  ): Promise<JobRecord> {
    const id = input.id ?? randomUUID();
    return this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<JobRow>(
        `INSERT INTO jobs (id, type, params, status, initiated_by_sub, initiated_by_name, initiated_session_id,
           permission_checked, progress_total, dispatch_id)
         VALUES ($1, $2, $3::jsonb, 'queued', $4, $5, $6, $7, $8, $1)
         ON CONFLICT (id) DO NOTHING
         RETURNING ${jobColumns}`,
        [
          id,
          input.type,
          json(input.params),
          input.initiatedBy.sub,
          input.initiatedBy.name ?? null,
          input.initiatedBy.sessionId ?? null,
          input.permissionChecked,
          input.progressTotal ?? null,
        ],
      );
      // Created before (a retried schedule run): the first creation stands, nothing is queued twice.
      if (rows.length === 0) return toRecord(await lockJob(tx, id));
      await insertEvent(tx, id, 'created', input.initiatedBy.sub, {
        type: input.type,
        params: input.params,
        permissionChecked: input.permissionChecked,
        byName: input.initiatedBy.name ?? null,
        sessionId: input.initiatedBy.sessionId ?? null,
      });
      await alsoInTransaction?.(tx, id);
      return toRecord(firstRow(rows, id));
    });
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const { rows } = await this.#db.query<JobRow>(`SELECT ${jobColumns} FROM jobs WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(
    filter: {
      status?: JobStatus;
      type?: string;
      initiatedBySub?: string;
      limit?: number;
      offset?: number;
    } = {},
  ): Promise<JobRecord[]> {
    const { rows } = await this.#db.query<JobRow>(
      `SELECT ${jobColumns} FROM jobs
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR type = $2)
         AND ($3::text IS NULL OR initiated_by_sub = $3)
       ORDER BY created_at DESC, id LIMIT $4 OFFSET $5`,
      [
        filter.status ?? null,
        filter.type ?? null,
        filter.initiatedBySub ?? null,
        filter.limit ?? 100,
        filter.offset ?? 0,
      ],
    );
    return rows.map(toRecord);
  }

  async count(filter: { status?: JobStatus; type?: string; initiatedBySub?: string } = {}): Promise<number> {
    const { rows } = await this.#db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR type = $2)
         AND ($3::text IS NULL OR initiated_by_sub = $3)`,
      [filter.status ?? null, filter.type ?? null, filter.initiatedBySub ?? null],
    );
    return rows[0]?.n ?? 0;
  }

  /** How many jobs are in each status (metrics). */
  async countByStatus(): Promise<Record<string, number>> {
    const { rows } = await this.#db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM jobs GROUP BY status',
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }

  /** Per job, how many items ended with each outcome. */
  async outcomeCounts(ids: readonly string[]): Promise<Map<string, Record<string, number>>> {
    const counts = new Map<string, Record<string, number>>(ids.map((id) => [id, {}]));
    if (ids.length === 0) return counts;
    const { rows } = await this.#db.query<{ job_id: string; outcome: string; n: number }>(
      `SELECT job_id, outcome, count(*)::int AS n FROM job_items WHERE job_id = ANY($1::uuid[])
       GROUP BY job_id, outcome`,
      [ids],
    );
    for (const row of rows) {
      const entry = counts.get(row.job_id);
      if (entry) entry[row.outcome] = row.n;
    }
    return counts;
  }

  async itemCount(id: string): Promise<number> {
    const { rows } = await this.#db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM job_items WHERE job_id = $1',
      [id],
    );
    return rows[0]?.n ?? 0;
  }

  async items(id: string, page: { offset?: number; limit?: number } = {}): Promise<JobItem[]> {
    const { rows } = await this.#db.query<{ item_key: string; outcome: string; detail: Json; at: Date }>(
      `SELECT item_key, outcome, detail, at FROM job_items WHERE job_id = $1
       ORDER BY at, item_key OFFSET $2 LIMIT $3`,
      [id, page.offset ?? 0, page.limit ?? 1000],
    );
    return rows.map((row) => ({ key: row.item_key, outcome: row.outcome, detail: row.detail, at: row.at }));
  }

  async events(id: string): Promise<JobEvent[]> {
    const { rows } = await this.#db.query<{ at: Date; kind: string; by_sub: string | null; detail: Json }>(
      'SELECT at, kind, by_sub, detail FROM job_events WHERE job_id = $1 ORDER BY id',
      [id],
    );
    return rows.map((row) => ({ at: row.at, kind: row.kind, by: row.by_sub, detail: row.detail }));
  }

  /** The whole result, or its parts in order when it was written a step at a time. */
  async result(id: string): Promise<{ body: Buffer; contentType: string } | undefined> {
    const { rows } = await this.#db.query<{ result: Uint8Array | null; result_content_type: string | null }>(
      'SELECT result, result_content_type FROM jobs WHERE id = $1',
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const contentType = row.result_content_type ?? 'application/octet-stream';
    if (row.result) return { body: Buffer.from(row.result), contentType };
    const { rows: parts } = await this.#db.query<{ body: Uint8Array }>(
      'SELECT body FROM job_result_parts WHERE job_id = $1 ORDER BY seq',
      [id],
    );
    if (parts.length === 0) return undefined;
    return { body: Buffer.concat(parts.map((part) => Buffer.from(part.body))), contentType };
  }

  /**
   * Moves a job to `to` if the transition table allows it from its current status, writing the
   * event (who, why) in the same transaction. `alsoInTransaction` runs before the commit (to queue
   * a pg-boss job atomically with the change).
   */
  async transition(
    id: string,
    to: JobStatus,
    options: {
      by: Actor | null;
      pausedReason?: PausedReason;
      error?: string;
      detail?: { [key: string]: Json };
      /** Refuse unless the caller still holds the job's lease (a runner changing its own job). */
      leaseToken?: string;
      /** Points the job at the pg-boss job that will run it next (resume). */
      dispatchId?: string;
      alsoInTransaction?: (tx: Parameters<Parameters<JobsDatabase['transaction']>[0]>[0]) => Promise<void>;
    },
  ): Promise<JobRecord> {
    return this.#db.transaction(async (tx) => {
      const current = await lockJob(tx, id);
      if (options.leaseToken !== undefined && current.lease_token !== options.leaseToken) {
        throw new JobsError('lease_lost', `Job ${id} is now run by another worker.`);
      }
      const kind: TransitionKind = transitionKind(current.status, to);
      // A cancel keeps a live worker's lease: the step it is in may still commit what it did.
      const releaseLease = to !== 'running' && to !== 'cancelled';
      const { rows } = await tx.query<JobRow>(
        `UPDATE jobs SET status = $2, paused_reason = $3, error = COALESCE($4, error),
           dispatch_id = COALESCE($5, dispatch_id),
           lease_token = CASE WHEN $6 THEN NULL ELSE lease_token END,
           lease_until = CASE WHEN $6 THEN NULL ELSE lease_until END,
           finished_at = CASE WHEN $2 IN ('completed', 'failed', 'cancelled') THEN now() ELSE finished_at END,
           updated_at = now()
         WHERE id = $1 RETURNING ${jobColumns}`,
        [
          id,
          to,
          to === 'paused' ? (options.pausedReason ?? null) : null,
          options.error ?? null,
          options.dispatchId ?? null,
          releaseLease,
        ],
      );
      await insertEvent(tx, id, kind, options.by?.sub ?? null, {
        from: current.status,
        to,
        ...(to === 'paused' ? { reason: options.pausedReason ?? null } : {}),
        ...(options.by?.name ? { byName: options.by.name } : {}),
        ...(options.error ? { error: options.error } : {}),
        ...options.detail,
      });
      await options.alsoInTransaction?.(tx);
      return toRecord(firstRow(rows, id));
    });
  }

  /**
   * Takes the job for one slice of work: only the dispatch the job points at, only while it is
   * queued or running, and only if no live worker holds it. Expired leases (a dead process) are
   * taken over. A queued job becomes running (with its `started` event).
   */
  async acquireLease(
    id: string,
    dispatchId: string,
    token: string,
    leaseSeconds: number,
  ): Promise<LeaseOutcome> {
    return this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<JobRow>(`SELECT ${jobColumns} FROM jobs WHERE id = $1 FOR UPDATE`, [
        id,
      ]);
      const current = rows[0];
      if (!current) return { taken: false, why: 'not_found' };
      if (current.dispatch_id !== dispatchId)
        return { taken: false, why: 'stale_dispatch', job: toRecord(current) };
      if (current.status !== 'queued' && current.status !== 'running') {
        return { taken: false, why: 'not_runnable', job: toRecord(current) };
      }
      if (current.lease_live) return { taken: false, why: 'lease_held', job: toRecord(current) };
      const recovered = current.status === 'running' && current.lease_token !== null;
      const { rows: updated } = await tx.query<JobRow>(
        `UPDATE jobs SET status = 'running', lease_token = $2,
           lease_until = now() + make_interval(secs => $3), started_at = COALESCE(started_at, now()),
           updated_at = now()
         WHERE id = $1 RETURNING ${jobColumns}`,
        [id, token, leaseSeconds],
      );
      if (current.status === 'queued') {
        await insertEvent(tx, id, transitionKind('queued', 'running'), null, {
          from: 'queued',
          to: 'running',
        });
      } else if (recovered) {
        // The previous worker's lease ran out without a release: it died mid-slice.
        await insertEvent(tx, id, 'recovered', null, { checkpoint: current.checkpoint });
      }
      return { taken: true, job: toRecord(firstRow(updated, id)) };
    });
  }

  /**
   * Commits one step: its items, checkpoint and progress together, and extends the lease. Items
   * already committed are kept as they were (a redone step cannot record an item twice).
   */
  async commitStep(id: string, token: string, step: StepCommit, leaseSeconds: number): Promise<JobRecord> {
    return this.#db.transaction(async (tx) => {
      const current = await lockJob(tx, id);
      if (current.lease_token !== token)
        throw new JobsError('lease_lost', `Job ${id} is now run by another worker.`);
      for (const item of step.items) {
        await tx.query(
          `INSERT INTO job_items (job_id, item_key, outcome, detail) VALUES ($1, $2, $3, $4::jsonb)
           ON CONFLICT (job_id, item_key) DO NOTHING`,
          [id, item.key, item.outcome, json(item.detail)],
        );
      }
      for (const event of step.events ?? []) await insertEvent(tx, id, event.kind, null, event.detail);
      if (step.resultPart) {
        await tx.query(
          `INSERT INTO job_result_parts (job_id, seq, body)
           SELECT $1, COALESCE(max(seq) + 1, 0), $2 FROM job_result_parts WHERE job_id = $1`,
          [id, step.resultPart.body],
        );
        await tx.query('UPDATE jobs SET result_content_type = $2 WHERE id = $1', [
          id,
          step.resultPart.contentType,
        ]);
      }
      const { rows } = await tx.query<JobRow>(
        `UPDATE jobs SET checkpoint = $2::jsonb, progress_done = $3,
           progress_total = COALESCE($4, progress_total),
           lease_until = now() + make_interval(secs => $5), updated_at = now()
         WHERE id = $1 RETURNING ${jobColumns}`,
        [id, json(step.checkpoint), step.progressDone, step.progressTotal ?? null, leaseSeconds],
      );
      return toRecord(firstRow(rows, id));
    });
  }

  async saveResult(id: string, token: string, body: Uint8Array | string, contentType: string): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const { rowCount } = await this.#db.query(
      'UPDATE jobs SET result = $3, result_content_type = $4, updated_at = now() WHERE id = $1 AND lease_token = $2',
      [id, token, bytes, contentType],
    );
    if (rowCount !== 1) throw new JobsError('lease_lost', `Job ${id} is now run by another worker.`);
  }

  /**
   * Ends a slice that has more to do: the job keeps running, the lease is released and the job
   * points at the next dispatch, queued in the same transaction by `alsoInTransaction`.
   */
  async continueLater(
    id: string,
    token: string,
    nextDispatchId: string,
    alsoInTransaction: (tx: Parameters<Parameters<JobsDatabase['transaction']>[0]>[0]) => Promise<void>,
  ): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const current = await lockJob(tx, id);
      if (current.lease_token !== token) return false;
      await tx.query(
        `UPDATE jobs SET dispatch_id = $2, lease_token = NULL, lease_until = NULL, updated_at = now()
         WHERE id = $1`,
        [id, nextDispatchId],
      );
      if (current.status === 'running') await alsoInTransaction(tx);
      return true;
    });
  }
}

async function lockJob(tx: SqlExecutor, id: string): Promise<JobRow> {
  const { rows } = await tx.query<JobRow>(`SELECT ${jobColumns} FROM jobs WHERE id = $1 FOR UPDATE`, [id]);
  return firstRow(rows, id);
}

function firstRow(rows: JobRow[], id: string): JobRow {
  const row = rows[0];
  if (!row) throw new JobsError('job_not_found', `No job ${id}.`);
  return row;
}

async function insertEvent(
  tx: SqlExecutor,
  jobId: string,
  kind: string,
  bySub: string | null,
  detail: { [key: string]: Json },
): Promise<void> {
  await tx.query('INSERT INTO job_events (job_id, kind, by_sub, detail) VALUES ($1, $2, $3, $4::jsonb)', [
    jobId,
    kind,
    bySub,
    JSON.stringify(detail),
  ]);
}
