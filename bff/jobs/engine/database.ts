import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { JobsError } from './errors.ts';
import { acquireDirectoryLock, type DirectoryLock } from './lock-file.ts';

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** Runs one SQL statement with `$n` parameters: the same SQL on PGlite and on PostgreSQL. */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/** pg-boss's `db` option: it runs parameterless multi-statement scripts (its migrations) too. */
export interface BossSqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
}

export interface JobsDatabase extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Commits when `work` resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqlExecutor & { boss: BossSqlExecutor }) => Promise<T>): Promise<T>;
  readonly boss: BossSqlExecutor;
  close(): Promise<void>;
}

export type OpenJobsDatabaseOptions = { dataDir: string } | { databaseUrl: string };

/**
 * The jobs database: PGlite under `<dataDir>/jobs` (guarded by a lock file beside it), or a real
 * PostgreSQL when a URL is given.
 */
export async function openJobsDatabase(options: OpenJobsDatabaseOptions): Promise<JobsDatabase> {
  if ('databaseUrl' in options) return openPostgres(options.databaseUrl);
  return openPglite(join(options.dataDir, 'jobs'));
}

/**
 * PGlite's PostgreSQL settings with a small buffer cache: the jobs tables are small and hot, and
 * PostgreSQL's default 128 MB would be resident for the life of the process (measured: 8 MB
 * instead of 128 MB halves what an opened database adds to the process, about 125 MB instead of
 * 255 MB).
 */
const PGLITE_START_PARAMS = [
  ...((PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams ?? []),
  '-c',
  'shared_buffers=16MB',
];

const CREATE_PGLITE = fileURLToPath(new URL('./create-pglite.mjs', import.meta.url));

/**
 * A new database is created in a child process (see create-pglite.mjs for why), in a folder beside
 * the real one that is renamed into place when complete: a creation cut short leaves no half-made
 * database behind.
 */
async function createPgliteFolder(folder: string): Promise<void> {
  const creating = `${folder}.creating`;
  rmSync(creating, { recursive: true, force: true });
  try {
    await promisify(execFile)(process.execPath, [CREATE_PGLITE, creating], { timeout: 120_000 });
  } catch (error) {
    rmSync(creating, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`Creating the jobs database in ${folder} failed${stderr ? `: ${stderr}` : ''}`);
  }
  rmSync(folder, { recursive: true, force: true });
  renameSync(creating, folder);
}

async function openPglite(folder: string): Promise<JobsDatabase> {
  mkdirSync(folder, { recursive: true });
  const lock: DirectoryLock = acquireDirectoryLock(folder);
  let db: PGlite;
  try {
    if (!existsSync(join(folder, 'PG_VERSION'))) await createPgliteFolder(folder);
    db = await PGlite.create(folder, { startParams: PGLITE_START_PARAMS });
  } catch (error) {
    lock.release();
    throw error;
  }
  let closed = false;
  const guard = () => {
    if (closed) throw new JobsError('jobs_database_closed', `The jobs database in ${folder} is closed.`);
  };
  const fromPglite = async (
    runner: Pick<Transaction, 'query' | 'exec'>,
    text: string,
    values?: readonly unknown[],
  ) => {
    // PGlite's `query` is one statement (extended protocol); parameterless scripts go through `exec`.
    if (!values || values.length === 0) {
      const results = await runner.exec(text);
      const last = results.at(-1);
      return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
    }
    const result = await runner.query<Record<string, unknown>>(text, [...values]);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  };
  const executor = (runner: Pick<Transaction, 'query' | 'exec'>) => ({
    query: async <Row>(text: string, params?: readonly unknown[]) => {
      const result = await runner.query<Row>(text, params ? [...params] : []);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    boss: { executeSql: (text: string, values?: unknown[]) => fromPglite(runner, text, values) },
  });
  const root = executor(db);
  return {
    kind: 'pglite',
    query: (text, params) => {
      guard();
      return root.query(text, params);
    },
    boss: {
      executeSql: (text, values) => {
        guard();
        return root.boss.executeSql(text, values);
      },
    },
    transaction: (work) => {
      guard();
      return db.transaction((tx) => work(executor(tx)));
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}

async function openPostgres(databaseUrl: string): Promise<JobsDatabase> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, application_name: 'iot-fleet-jobs' });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const executor = (client: pg.Pool | pg.PoolClient) => ({
    query: async <Row>(text: string, params?: readonly unknown[]) => {
      const result = await client.query(text, params ? [...params] : undefined);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    boss: {
      executeSql: async (text: string, values?: unknown[]) => {
        const result = await client.query(text, values);
        // A multi-statement script answers an array of results: pg-boss reads the last.
        const last = Array.isArray(result) ? result.at(-1) : result;
        return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
      },
    },
  });
  const root = executor(pool);
  await root.query('SELECT 1');
  return {
    kind: 'postgres',
    query: root.query,
    boss: root.boss,
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
