import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from './postgres-server.ts';

/**
 * Vitest globalSetup: a fresh PostgreSQL for the whole run, its URL in process.env.TEST_DATABASE_URL.
 * Vitest builds the workers' environment from the main process's env after global setup, so test files
 * read it as a plain env var. A TEST_DATABASE_URL that is already set is used as it is.
 *
 * The data lives in the temp dir, not in the checkout: the unprivileged user PostgreSQL runs as under
 * root must be able to reach it, and a checkout under /root is closed to it. One folder per run (named
 * by our PID) keeps parallel runs apart.
 */
const PREFIX = 'iot-fleet-test-postgres-';

export default async function setup() {
  if (process.env.TEST_DATABASE_URL) return;
  removeStaleRuns();
  const dataDir = join(tmpdir(), `${PREFIX}${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const started = performance.now();
  const server = await startPostgres({ dataDir, database: 'test', ephemeral: true });
  process.env.TEST_DATABASE_URL = server.url;
  const ms = Math.round(performance.now() - started);
  console.log(`test PostgreSQL: ${server.url} (pid ${server.pid}, ${dataDir}) ready in ${ms} ms`);

  return async () => {
    await server.stop();
    delete process.env.TEST_DATABASE_URL;
    rmSync(dataDir, { recursive: true, force: true });
  };
}

/**
 * Deletes the folders of earlier runs whose process is gone (killed before teardown). A postgres left
 * running on one shuts itself down once its postmaster.pid is gone (it rechecks it every minute).
 */
function removeStaleRuns() {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
