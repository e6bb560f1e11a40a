import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../lib/http-server.ts';
import { signInThroughForm, startTestPlatform, type TestPlatform } from '../../platform/test-support.ts';
import { CookieJarClient, csrfHeaders } from '../test-support.ts';
import type { JobSummary } from './job-view.ts';
import { AUTOMATION_SECRET, freshTestDatabase, serviceToken } from './test-support.ts';

// The BFF as its own process (`npm run bff`), stopped gracefully (SIGTERM) and killed (SIGKILL)
// in the middle of a rollout, then started again on the same data folder: the job continues from
// its checkpoint, every device is handled once, none is updated twice.

interface JobDetail extends JobSummary {
  items: { entries: { key: string; outcome: string }[]; total: number };
  events: { kind: string }[];
}

let platform: TestPlatform;
let dataDir: string;
/** Set for the PostgreSQL run: the BFF's DATABASE_URL. */
let databaseUrl: string | undefined;
let appUrl: string;
let port: number;
let bff: ChildProcess | undefined;
/** The current BFF process's output, shown when something fails. */
let output = '';
let browser = new CookieJarClient();

async function freePort(): Promise<number> {
  const bound = await listen('127.0.0.1', 0);
  await bound.close();
  return bound.port;
}

/** Starts `bff/main.ts` and waits until its jobs routes answer (the database is open). */
async function startBffProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bff/main.ts'], {
    env: {
      ...process.env,
      TEST_DATABASE_URL: '',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      HOST: '127.0.0.1',
      PORT: String(port),
      APP_URL: appUrl,
      OIDC_ISSUER: platform.issuer,
      API_UPSTREAM: platform.apiUrl,
      OIDC_CLIENT_SECRET: platform.config.bffClient.secret,
      AUTOMATION_CLIENT_SECRET: AUTOMATION_SECRET,
      DATA_DIR: dataDir,
      WEB_DIST: join(dataDir, 'no-spa-built'),
      JOBS_LEASE_SECONDS: '4',
      JOBS_COMMAND_POLL_MS: '50',
      JOBS_CONCURRENCY: '4',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  // Generous: on a loaded 2-core machine a tsx start and opening the database take a while.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the BFF exited (${child.exitCode}):\n${output}`);
    const status = await fetch(`${appUrl}/bff/jobs`, { headers: csrfHeaders })
      .then((response) => response.status)
      .catch(() => 0);
    // 401: the routes are up; `jobs_ready`: the jobs database is open and the runner started.
    if (status === 401 && output.includes('"event":"jobs_ready"')) break;
    if (Date.now() > deadline) throw new Error(`the BFF did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

const api = (path: string, init: RequestInit = {}) =>
  browser.fetch(`${appUrl}${path}`, { ...init, headers: { ...csrfHeaders, ...init.headers } });

async function job(id: string): Promise<JobDetail | undefined> {
  const response = await api(`/bff/jobs/${id}?itemsLimit=1000`).catch(() => undefined);
  return response?.status === 200 ? ((await response.json()) as JobDetail) : undefined;
}

async function waitFor(id: string, done: (job: JobDetail) => boolean, what: string): Promise<JobDetail> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const current = await job(id);
    if (current && done(current)) return current;
    if (Date.now() > deadline) throw new Error(`job ${id} never ${what} (${current?.status})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const backends = process.env.TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(backends)('a rollout across BFF restarts (%s)', (backend) => {
  let dropDatabase: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    browser = new CookieJarClient();
    const database = backend === 'postgres' ? await freshTestDatabase() : undefined;
    databaseUrl = database?.url;
    dropDatabase = database?.drop;
    port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    dataDir = await mkdtemp(join(tmpdir(), 'iot-jobs-restart-'));
    platform = await startTestPlatform({
      APP_URL: appUrl,
      API_FIRMWARE_UPDATE_SECONDS: '0.3',
      API_FIRMWARE_FAILURE_RATE: '0.1',
    });
    bff = await startBffProcess();
    const login = await browser.fetch(`${appUrl}/bff/login?returnTo=/`);
    const callback = await signInThroughForm(
      browser,
      login.headers.get('location') ?? '',
      'operator',
      'operator',
      appUrl,
    );
    expect((await browser.fetch(callback)).headers.get('location'), output).toBe('/');
  }, 60_000);

  afterAll(async () => {
    bff?.kill('SIGKILL');
    await platform?.dispose();
    await rm(dataDir, { recursive: true, force: true });
    await dropDatabase?.();
  }, 30_000);

  it('continues after a graceful stop and after kill -9, updating every device once', async () => {
    const started = await api('/bff/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'firmware-rollout',
        params: { version: '9.1.0', selection: {}, batchSize: 20, canary: 0, failureThreshold: 1 },
      }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };

    // Graceful: the running step checkpoints and the job is queued to continue.
    await waitFor(id, (current) => current.progress.done >= 20, 'reached 20 devices');
    const first = bff as ChildProcess;
    first.kill('SIGTERM');
    await exited(first);
    expect(first.exitCode).toBe(0);
    bff = await startBffProcess();

    // Killed: no checkpoint, no release; the lease runs out and the new process takes the job over.
    const before = (await waitFor(id, (current) => current.progress.done >= 60, 'reached 60 devices'))
      .progress.done;
    const second = bff as ChildProcess;
    second.kill('SIGKILL');
    await exited(second);
    bff = await startBffProcess();

    const done = await waitFor(id, (current) => current.status === 'completed', 'completed');
    expect(done.progress).toEqual({ done: 120, total: 120 });
    expect(before).toBeLessThan(120);
    expect(done.items.total).toBe(120);
    expect(new Set(done.items.entries.map((item) => item.key)).size).toBe(120);
    expect(done.events.map((event) => event.kind)).toContain('recovered');

    // The device API's own record: no device got this job's update twice.
    const token = await serviceToken(platform.issuer);
    for (const item of done.items.entries) {
      const { items } = (await (
        await fetch(`${platform.apiUrl}/devices/${item.key}/commands`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { items: { jobId?: string }[] };
      expect(items.filter((command) => command.jobId === id).length, item.key).toBeLessThanOrEqual(1);
      if (item.outcome === 'updated' || item.outcome === 'failed') {
        expect(
          items.filter((command) => command.jobId === id),
          item.key,
        ).toHaveLength(1);
      }
    }
  }, 240_000);
});
