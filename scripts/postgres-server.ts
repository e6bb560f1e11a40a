import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A private PostgreSQL server for tests and local runs: Debian's binaries (scripts/ensure-postgres.sh),
 * a data dir of our own, `postgres` started directly (not pg_ctlcluster, not the system service), on
 * 127.0.0.1 only with trust auth, and stopped by the PID we started.
 */
export interface PostgresServerOptions {
  /** PGDATA. Initialised with initdb when missing or empty; an existing cluster in it is reused. */
  dataDir: string;
  /** Database to create (if missing) and name in `url`. Default: postgres. */
  database?: string;
  /** Preferred port; another free one is used when it is taken. Default: 5433. */
  port?: number;
  /** Default: what scripts/ensure-postgres.sh prints (it installs PostgreSQL when missing). */
  binDir?: string;
  /** Throwaway data (tests): no fsync anywhere, so initdb and writes are fast but not crash-safe. */
  ephemeral?: boolean;
  /** How long to wait for the server to accept connections. Default: 30 s. */
  startTimeoutMs?: number;
}

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust auth: no password). */
  url: string;
  pid: number;
  port: number;
  dataDir: string;
  /** Fast shutdown by PID, SIGKILL if it has not exited after `timeoutMs` (default 10 s). */
  stop(timeoutMs?: number): Promise<void>;
}

const run = promisify(execFile);
const SUPERUSER = 'postgres';
const ENSURE_SCRIPT = fileURLToPath(new URL('./ensure-postgres.sh', import.meta.url));

/** Installs PostgreSQL if needed (root or sudo) and returns its bin dir. */
export function ensurePostgres(): string {
  try {
    // stderr passes through: the script's install message or apt-get's log on failure.
    return execFileSync('bash', [ENSURE_SCRIPT], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  } catch (error) {
    throw new Error(`PostgreSQL is not available: ${ENSURE_SCRIPT} failed (${(error as Error).message})`);
  }
}

export async function startPostgres(options: PostgresServerOptions): Promise<PostgresServer> {
  const { dataDir, database = 'postgres', ephemeral = false, startTimeoutMs = 30_000 } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(database))
    throw new Error(`startPostgres: unsupported database name "${database}"`);
  const binDir = options.binDir ?? ensurePostgres();
  const user = serverUser();
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};

  mkdirSync(dataDir, { recursive: true });
  if (user) chownSync(dataDir, user.uid, user.gid);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const initdbArgs = [
      '-D',
      dataDir,
      `--username=${SUPERUSER}`,
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
    ];
    try {
      await run(join(binDir, 'initdb'), ephemeral ? [...initdbArgs, '--no-sync'] : initdbArgs, {
        ...asUser,
        cwd: dataDir, // initdb as another user cannot always read root's cwd
      });
    } catch (error) {
      const { stderr = '' } = error as { stderr?: string };
      const hint = user
        ? ` (it runs as "${user.name}": every folder above ${dataDir} must let that user in)`
        : '';
      throw new Error(`initdb failed in ${dataDir}${hint}:\n${stderr.trim() || (error as Error).message}`);
    }
  }
  // The socket lives in the data folder, not /var/run/postgresql, which belongs to the system cluster.
  const socketDir = join(dataDir, 'socket');
  mkdirSync(socketDir, { recursive: true });
  if (user) chownSync(socketDir, user.uid, user.gid);

  const logFile = join(dataDir, 'postgres.log');
  // A free port can be taken between our check and postgres's bind (parallel runs): try a few.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort(options.port ?? 5433);
    const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
    const log = openSync(logFile, 'a');
    const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'];
    args.push('-c', `unix_socket_directories=${socketDir}`);
    if (ephemeral) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    const child = spawn(join(binDir, 'postgres'), args, {
      ...asUser,
      cwd: dataDir,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
    const ready = await waitUntilReady(child, port, startTimeoutMs);
    if (ready === 'ready') {
      const server = serverHandle(child, url, port, dataDir);
      await createDatabase(port, database).catch(async (error: Error) => {
        await server.stop();
        throw new Error(`PostgreSQL started, but creating database "${database}" failed: ${error.message}`);
      });
      return server;
    }
    const tail = logTail(logFile, logStart);
    if (ready === 'exited' && /could not bind|already in use/i.test(tail) && attempt < 3) continue;
    if (ready === 'timeout') child.kill('SIGKILL');
    const why = ready === 'timeout' ? `did not accept connections within ${startTimeoutMs} ms` : 'exited';
    throw new Error(
      `PostgreSQL (${join(binDir, 'postgres')} on port ${port}) ${why}. Log ${logFile}:\n${tail}`,
    );
  }
}

/** PostgreSQL refuses to run as root: then use the package's `postgres` user, or `nobody`. */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of [SUPERUSER, 'nobody']) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
      return { name, uid: id('-u'), gid: id('-g') };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error('PostgreSQL cannot run as root and neither a "postgres" nor a "nobody" user exists.');
}

/** `preferred` when nothing listens there, else a port the kernel hands out. */
async function freePort(preferred: number): Promise<number> {
  const probe = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const { port: bound } = server.address() as { port: number };
        server.close(() => resolve(bound));
      });
    });
  return probe(preferred).catch(() => probe(0));
}

/** Polls with a real query (the port opens before recovery ends); stops early if postgres exits. */
async function waitUntilReady(child: ChildProcess, port: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let exited = child.exitCode !== null || child.signalCode !== null;
  child.once('exit', () => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) return 'exited';
    const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres' });
    try {
      await client.connect();
      await client.query('select 1');
      return 'ready';
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await client.end().catch(() => {});
    }
  }
  return exited ? 'exited' : 'timeout';
}

async function createDatabase(port: number, database: string): Promise<void> {
  if (database === 'postgres') return;
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await client.query(`create database "${database}"`);
  } finally {
    await client.end();
  }
}

function serverHandle(child: ChildProcess, url: string, port: number, dataDir: string): PostgresServer {
  const pid = child.pid as number;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  // If our process ends without stop() (a crash, process.exit), don't leave the server behind.
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);
  return {
    url,
    pid,
    port,
    dataDir,
    async stop(timeoutMs = 10_000) {
      process.off('exit', onExit);
      // SIGINT is PostgreSQL's "fast" shutdown (what pg_ctl stop sends): it ends open sessions. SIGTERM
      // ("smart") would wait for every client to disconnect, so one leaked pool would hang the stop.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function logTail(logFile: string, from: number, lines = 20): string {
  try {
    const text = readFileSync(logFile).subarray(from).toString('utf8').trimEnd();
    return text ? text.split('\n').slice(-lines).join('\n') : '(the log is empty)';
  } catch {
    return '(no log)';
  }
}
