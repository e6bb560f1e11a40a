import type { SqlExecutor } from './database.ts';

/**
 * Our own tables beside pg-boss's schema: pg-boss keeps queue state only, so progress, checkpoints,
 * per-device outcomes and the audit trail live here. Idempotent: safe on every start.
 */
const statements = [
  `CREATE TABLE IF NOT EXISTS jobs (
    id uuid PRIMARY KEY,
    type text NOT NULL,
    params jsonb NOT NULL,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
    paused_reason text CHECK (paused_reason IN ('credentials', 'idp_unavailable')),
    initiated_by_sub text NOT NULL,
    initiated_by_name text,
    initiated_session_id text,
    permission_checked text NOT NULL,
    progress_done integer NOT NULL DEFAULT 0,
    progress_total integer,
    checkpoint jsonb,
    result bytea,
    result_content_type text,
    error text,
    dispatch_id uuid,
    lease_token uuid,
    lease_until timestamptz,
    started_at timestamptz,
    finished_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  'CREATE INDEX IF NOT EXISTS jobs_created_at ON jobs (created_at DESC)',
  'CREATE INDEX IF NOT EXISTS jobs_initiated_by_sub ON jobs (initiated_by_sub, created_at DESC)',
  `CREATE TABLE IF NOT EXISTS job_items (
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    item_key text NOT NULL,
    outcome text NOT NULL,
    detail jsonb,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, item_key)
  )`,
  `CREATE TABLE IF NOT EXISTS job_events (
    id bigserial PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    at timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL,
    by_sub text,
    detail jsonb
  )`,
  'CREATE INDEX IF NOT EXISTS job_events_job_id ON job_events (job_id, id)',
  // A result written a step at a time (an export): each part commits with its step's checkpoint,
  // so a step that is redone after a crash never writes its part twice.
  `CREATE TABLE IF NOT EXISTS job_result_parts (
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq integer NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (job_id, seq)
  )`,
];

export async function migrateJobsSchema(db: SqlExecutor): Promise<void> {
  for (const statement of statements) await db.query(statement);
}
