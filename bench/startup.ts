import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, processTree, rssMb } from './proc.ts';
import { fixed, type JobReport } from './report.ts';
import { signIn } from './sign-in.ts';

/**
 * `npm start` with automation jobs on (the default) and off: the time from spawning its entry
 * (`node --import tsx scripts/start.ts`, fresh data folder, free ports; the build is not included) to the first
 * page (`GET /` answering 200 with the SPA's HTML), the time until the jobs routes answer (not 503),
 * how long a page request waited at most meanwhile, and the resident memory of the process tree at
 * idle. Jobs off is the same entry with `JOBS_ENABLED=false`.
 */

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const INDEX_HTML = join(REPO_ROOT, 'dist', 'web', 'index.html');
const ENTRIES = {
  on: 'scripts/start.ts',
  off: 'scripts/start.ts',
  restart: 'scripts/start.ts',
} as const;
const POLL_MS = 50;
const PAGE_POLL_MS = 100;
// Long enough to see a page request held for the whole of a blocked event loop.
const PAGE_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 60_000;

type Variant = keyof typeof ENTRIES;

/** Spawned processes still running: the bench's hard deadline kills them (`killStartProcesses`). */
const live = new Set<ChildProcess>();

export function killStartProcesses(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // Its own process group (spawned detached): the node running the entry and any child it starts.
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // To tsx's CLI only: it passes the signal on to the node running the entry, which stops gracefully
  // (a second SIGTERM sent to the whole group would cut that short).
  child.kill('SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
  // The group's other members (esbuild's service) may outlive the CLI for a moment.
  killGroup(child, 'SIGKILL');
}

/** One page request; its status, whether it was the SPA's HTML, and how long it took. */
async function page(url: string): Promise<{ status: number; spa: boolean; ms: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PAGE_TIMEOUT_MS) });
    const body = await response.text();
    return {
      status: response.status,
      spa: body.includes('<div id="root">'),
      ms: performance.now() - started,
    };
  } catch {
    return { status: 0, spa: false, ms: performance.now() - started };
  }
}

interface StartRun {
  variant: Variant;
  dataDir: string;
  firstPageMs: number;
  /** Jobs on: until `GET /bff/jobs` (signed in) answered other than 503. */
  jobsReadyMs: number;
  jobsStatus: number;
  signedInMs: number;
  /** Longest `GET /` from the first page until the measurement ended. */
  maxPageMs: number;
  pageRequests: number;
  rssMb: number;
  rssAtMs: number;
  processes: number;
}

/**
 * One start, measured. `restart` is jobs on over the data folder an earlier run left (`keepDataDir`),
 * so its jobs database exists already.
 */
async function startOnce(
  variant: Variant,
  tmp: string,
  idleMs: number,
  folders: { reuse?: string; keep?: boolean } = {},
): Promise<StartRun> {
  const [port, authPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const appUrl = `http://127.0.0.1:${port}`;
  const dataDir = folders.reuse ?? (await mkdtemp(join(tmp, `start-${variant}-`)));
  // The embedded jobs database (the default), whatever the bench's own environment says.
  const { DATABASE_URL: _db, AUTOMATION_CLIENT_SECRET: _secret, ...env } = process.env;
  const started = performance.now();
  // What `npm start` runs after its build: one node process with tsx's loader.
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRIES[variant]], {
    cwd: REPO_ROOT,
    env: {
      ...env,
      TMPDIR: tmp,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      APP_URL: appUrl,
      AUTH_PORT: String(authPort),
      API_PORT: String(apiPort),
      JOBS_ENABLED: variant === 'off' ? 'false' : 'true',
    },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const elapsed = () => performance.now() - started;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  // Page requests keep going while this is true (ended in `finally` whatever happens).
  let measuring = true;
  try {
    let firstPageMs = Number.NaN;
    while (Number.isNaN(firstPageMs)) {
      if (exited()) throw new Error(`${ENTRIES[variant]} exited (${child.exitCode}): ${stderr.trim()}`);
      if (elapsed() > START_TIMEOUT_MS) throw new Error(`no page within ${START_TIMEOUT_MS / 1000} s`);
      const answer = await page(`${appUrl}/`);
      if (answer.status === 200 && answer.spa) firstPageMs = elapsed();
      else await sleep(POLL_MS);
    }

    // Pages go on being asked for while the rest of the start happens (the jobs database opening).
    let maxPageMs = 0;
    let pageRequests = 0;
    const pages = (async () => {
      while (measuring) {
        const answer = await page(`${appUrl}/`);
        pageRequests += 1;
        maxPageMs = Math.max(maxPageMs, answer.ms);
        await sleep(PAGE_POLL_MS);
      }
    })();

    let jobsReadyMs = Number.NaN;
    let jobsStatus = 0;
    let signedInMs = Number.NaN;
    if (variant !== 'off') {
      let cookie = '';
      while (!cookie) {
        if (elapsed() > START_TIMEOUT_MS)
          throw new Error(`could not sign in within ${START_TIMEOUT_MS / 1000} s`);
        cookie = await signIn(appUrl).then(
          (s) => s.cookieHeader,
          () => '',
        );
        if (!cookie) await sleep(POLL_MS);
      }
      signedInMs = elapsed();
      while (Number.isNaN(jobsReadyMs)) {
        if (elapsed() > START_TIMEOUT_MS)
          throw new Error(`jobs still 503 after ${START_TIMEOUT_MS / 1000} s`);
        const response = await fetch(`${appUrl}/bff/jobs`, {
          headers: { cookie, 'x-csrf': '1', accept: 'application/json' },
          signal: AbortSignal.timeout(PAGE_TIMEOUT_MS),
        }).catch(() => undefined);
        await response?.body?.cancel();
        if (response && response.status !== 503) {
          jobsReadyMs = elapsed();
          jobsStatus = response.status;
        } else await sleep(POLL_MS);
      }
    }
    // Idle: `idleMs` after the first page, and never before the jobs routes answer.
    const rssAt = Math.max(firstPageMs + idleMs, Number.isNaN(jobsReadyMs) ? 0 : jobsReadyMs + 500);
    if (rssAt > elapsed()) await sleep(rssAt - elapsed());
    const tree = processTree(child.pid as number);
    const rss = rssMb(tree);
    const rssAtMs = elapsed();
    measuring = false;
    await pages;
    return {
      variant,
      dataDir,
      firstPageMs,
      jobsReadyMs,
      jobsStatus,
      signedInMs,
      maxPageMs,
      pageRequests,
      rssMb: rss,
      rssAtMs,
      processes: tree.length,
    };
  } finally {
    measuring = false;
    await stopGroup(child);
    if (!folders.keep) await rm(dataDir, { recursive: true, force: true });
  }
}

/** RSS of npm's own process while it runs a script (`npm start` adds it on top of the app's tree). */
async function npmOverheadMb(): Promise<number> {
  const child = spawn('npm', ['exec', '--offline', '--', 'node', '-e', 'setTimeout(() => {}, 20000)'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: 'ignore',
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  try {
    // Until npm has started its script (its shell, then node): npm itself is then at rest.
    for (let i = 0; i < 100; i++) {
      const tree = processTree(child.pid as number);
      if (tree.length >= 3) {
        await sleep(500);
        const [npm, shell] = processTree(child.pid as number);
        return rssMb([npm, shell].filter((pid): pid is number => pid !== undefined));
      }
      await sleep(100);
    }
    return Number.NaN;
  } finally {
    await stopGroup(child);
  }
}

export interface StartupOptions {
  /** Runs per variant, alternated on, off, off, on, … so drift lands on both. */
  runsPerVariant: number;
  idleMs: number;
  maxFirstPageDeltaMs: number;
  maxRssMb: number;
}

export const startupBudgetNames = (o: StartupOptions) => [
  `npm start, first page with jobs on vs off: within ± ${fixed(o.maxFirstPageDeltaMs / 1000, 1)} s`,
  `npm start with jobs on (fresh data folder), resident memory at idle, whole tree with npm: ≤ ${o.maxRssMb} MB`,
];
export const startupTitle = '8. npm start with automation jobs on and off';

export async function startup(tmp: string, o: StartupOptions): Promise<JobReport> {
  const began = performance.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  let built = '';
  if (!existsSync(INDEX_HTML)) {
    // `npm start` builds first; the bench times only what follows the build.
    const t = performance.now();
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'vite'), ['build'], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
    built = `dist/web was missing: built it first (vite build, ${fixed((performance.now() - t) / 1000, 1)} s, not timed)`;
  }
  const order: Variant[] = [];
  for (let i = 0; i < o.runsPerVariant; i++) {
    order.push(...((i % 2 === 0 ? ['on', 'off'] : ['off', 'on']) as Variant[]));
  }
  const runs: StartRun[] = [];
  let npmMb = Number.NaN;
  let lastOn: string | undefined;
  try {
    for (const [i, variant] of order.entries()) {
      // npm's own process, measured alongside the first run's idle wait.
      const npm = i === 0 ? npmOverheadMb() : undefined;
      const keep = variant === 'on' && !order.slice(i + 1).includes('on');
      const run = await startOnce(variant, tmp, o.idleMs, { keep });
      runs.push(run);
      if (keep) lastOn = run.dataDir;
      if (npm) npmMb = await npm;
    }
    // The next `npm start` over the same folder: the jobs database is there already.
    runs.push(await startOnce('restart', tmp, o.idleMs, lastOn ? { reuse: lastOn } : {}));
  } finally {
    if (lastOn) await rm(lastOn, { recursive: true, force: true });
  }

  const of = (variant: Variant) => runs.filter((r) => r.variant === variant);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const list = (values: number[], digits = 2) => values.map((v) => fixed(v / 1000, digits)).join(', ');
  const on = of('on');
  const off = of('off');
  const restart = of('restart');
  const firstOn = mean(on.map((r) => r.firstPageMs));
  const firstOff = mean(off.map((r) => r.firstPageMs));
  const delta = firstOn - firstOff;
  const rssOn = Math.max(...on.map((r) => r.rssMb));
  const rssOff = Math.max(...off.map((r) => r.rssMb));
  const rssRestart = Math.max(...restart.map((r) => r.rssMb));
  const wholeOn = rssOn + npmMb;
  const row = (label: string, rs: StartRun[]) => [
    label,
    list(rs.map((r) => r.firstPageMs)),
    rs[0]?.variant === 'off' ? 'n/a (off)' : list(rs.map((r) => r.jobsReadyMs)),
    list(
      rs.map((r) => r.maxPageMs),
      3,
    ),
    rs.map((r) => fixed(r.rssMb, 0)).join(', '),
  ];
  const jobsStatuses = [...new Set([...on, ...restart].map((r) => r.jobsStatus))].join(', ');
  return {
    title: `${startupTitle}: ${ENTRIES.on} with jobs on vs JOBS_ENABLED=false, embedded PGlite, build not included`,
    table: {
      head: ['start', 'first page s', 'jobs routes answer s', 'slowest GET / after s', 'RSS MB (tree)'],
      rows: [
        row('jobs on, fresh DATA_DIR', on),
        row('jobs off, fresh DATA_DIR', off),
        row('jobs on, DATA_DIR of the last run', restart),
      ],
    },
    notes: [
      `order ${[...order, 'restart'].join(', ')}; first page = GET / 200 with the SPA's HTML, polled every ` +
        `${POLL_MS} ms from the spawn; jobs routes = GET /bff/jobs as a signed-in operator answering other ` +
        `than 503 (answered ${jobsStatuses}; signed in at ${list([...on, ...restart].map((r) => r.signedInMs))} s)`,
      '"slowest GET / after": the longest page request from the first page to the RSS reading (GET / ' +
        `every ${PAGE_POLL_MS} ms): seconds there mean the event loop was blocked (the jobs database opening)`,
      'RSS = VmRSS summed over the process tree (the node running the entry with the tsx loader, and any child it has), ' +
        `read ${fixed(o.idleMs / 1000, 0)} s after the first page and not before the jobs routes answer (with ` +
        `jobs on at ${list(
          on.map((r) => r.rssAtMs),
          1,
        )} s); npm's own process and shell, which \`npm start\` ` +
        `adds on top: ${fixed(npmMb, 0)} MB`,
      ...(built ? [built] : []),
      `measured in ${fixed((performance.now() - began) / 1000, 0)} s; load average ${fixed(loadAtStart, 1)} → ` +
        `${fixed(loadavg()[0] ?? Number.NaN, 1)} (above the core count: other work competed)`,
    ],
    budgets: [
      {
        name: startupBudgetNames(o)[0] as string,
        pass: Math.abs(delta) <= o.maxFirstPageDeltaMs,
        detail:
          `${delta >= 0 ? '+' : ''}${fixed(delta / 1000, 2)} s (on ${fixed(firstOn / 1000, 2)} s, off ` +
          `${fixed(firstOff / 1000, 2)} s, means of ${o.runsPerVariant}); jobs routes answer at ` +
          `${fixed(mean(on.map((r) => r.jobsReadyMs)) / 1000, 2)} s`,
      },
      {
        name: startupBudgetNames(o)[1] as string,
        pass: wholeOn <= o.maxRssMb,
        detail:
          `${fixed(wholeOn, 0)} MB (app tree ${fixed(rssOn, 0)} + npm ${fixed(npmMb, 0)}); restart over an ` +
          `existing DATA_DIR ${fixed(rssRestart + npmMb, 0)} MB; jobs off ${fixed(rssOff + npmMb, 0)} MB`,
      },
    ],
  };
}
