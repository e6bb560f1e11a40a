import { rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type PostgresServer, startPostgres } from '../scripts/postgres-server.ts';
import { JobsProcess } from './jobs-process.ts';
import { platformStats, resetPlatformStats } from './platform-stats.ts';
import { cpuSeconds, freePort, processTree } from './proc.ts';
import { fixed, type JobReport } from './report.ts';
import { signIn } from './sign-in.ts';

/**
 * Automation jobs under load: a firmware rollout over a large simulated fleet (device steps per
 * second, on the embedded PGlite and on PostgreSQL), and the service account's token requests over a
 * long rollout. The platform and the BFF run in processes of their own (bench/jobs-servers.ts), as in
 * production, and PostgreSQL in a third; the bench drives the BFF over HTTP as an operator's browser
 * would (sign-in, `POST /bff/jobs`, `GET /bff/jobs/:id`).
 */

const POLL_MS = 500;

interface JobEventView {
  at: string;
  kind: string;
  detail: Record<string, unknown>;
}

interface JobView {
  id: string;
  status: string;
  progress: { done: number; total: number | null };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  summary: Record<string, number>;
  events: JobEventView[];
}

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

interface JobsStack {
  platform: JobsProcess<'platform'>;
  bff: JobsProcess<'bff'>;
  appUrl: string;
  close(): Promise<void>;
}

/** The platform and the BFF (jobs on, the platform's service account), each in a child process. */
async function startJobsStack(
  tmp: string,
  platformEnv: Record<string, string>,
  bffEnv: Record<string, string>,
): Promise<JobsStack> {
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const platform = await JobsProcess.start('platform', { APP_URL: appUrl, ...platformEnv }, tmp);
  let bff: JobsProcess<'bff'>;
  try {
    bff = await JobsProcess.start(
      'bff',
      {
        APP_URL: appUrl,
        PORT: String(port),
        OIDC_ISSUER: platform.ready.issuer,
        API_UPSTREAM: platform.ready.apiUrl,
        OIDC_CLIENT_SECRET: platform.ready.bffClientSecret,
        AUTOMATION_CLIENT_SECRET: platform.ready.automationClientSecret,
        ...bffEnv,
      },
      tmp,
    );
  } catch (error) {
    await platform.close();
    throw error;
  }
  if (bff.ready.jobsState !== 'ready') {
    await Promise.all([bff.close(), platform.close()]);
    throw new Error(`the BFF's jobs service is ${bff.ready.jobsState}: ${bff.stderr.slice(-3).join(' | ')}`);
  }
  return {
    platform,
    bff,
    appUrl,
    close: async () => {
      await bff.close();
      await platform.close();
    },
  };
}

/** An operator's browser on the BFF: signed in, CSRF header on every call. */
async function operatorClient(appUrl: string) {
  const { cookieHeader } = await signIn(appUrl, 'operator');
  const headers = { cookie: cookieHeader, 'x-csrf': '1', accept: 'application/json' };
  return {
    async start(type: string, params: unknown): Promise<string> {
      const response = await fetch(`${appUrl}/bff/jobs`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ type, params }),
      });
      const text = await response.text();
      if (response.status !== 202) throw new Error(`POST /bff/jobs answered ${response.status}: ${text}`);
      return (JSON.parse(text) as { id: string }).id;
    },
    async job(id: string): Promise<JobView> {
      const response = await fetch(`${appUrl}/bff/jobs/${id}?itemsLimit=1`, { headers });
      const text = await response.text();
      if (response.status !== 200)
        throw new Error(`GET /bff/jobs/${id} answered ${response.status}: ${text}`);
      return JSON.parse(text) as JobView;
    },
  };
}

/** CPU seconds used by each of the named process trees, read now. */
type CpuProbe = Record<string, () => number>;
const readCpu = (probe: CpuProbe) =>
  Object.fromEntries(Object.entries(probe).map(([name, read]) => [name, read()])) as Record<string, number>;

interface RolloutRun {
  job: JobView;
  /** Wall time from POST to the poll that saw the job finished. */
  wallMs: number;
  /** CPU seconds per process tree, from when the poll first saw the selection resolved to the end. */
  cpuBatches: Record<string, number>;
  cpuBatchesWallMs: number;
  /** Items done over that same stretch. */
  stepsInBatches: number;
  /** Device API requests accepted while the job ran (its token checks). */
  apiRequests: number;
  clientCredentials: number;
  expiredTokensAtApi: number;
  cutShort: boolean;
  /** 1-minute load average at the start and at the end: above the core count, other work competed. */
  loadAverage: [number, number];
}

/** Starts one firmware rollout as the operator and polls it until it ends (or `maxMs` passes). */
async function runRollout(
  stack: JobsStack,
  params: Record<string, unknown>,
  maxMs: number,
  cpu: CpuProbe,
  onStarted?: () => void,
): Promise<RolloutRun> {
  const operator = await operatorClient(stack.appUrl);
  const { issuer, apiOrigin } = stack.platform.ready;
  // Counters from here on: the sign-in's grants are not the job's.
  await resetPlatformStats(issuer);
  await fetch(`${apiOrigin}/dev/stats`, { method: 'DELETE' }).then((r) => r.body?.cancel());
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const posted = performance.now();
  const id = await operator.start('firmware-rollout', params);
  onStarted?.();
  let job = await operator.job(id);
  let cpuAtSelection: Record<string, number> | undefined;
  let selectionSeenAt = 0;
  let doneAtSelection = 0;
  let cutShort = false;
  while (!FINISHED.has(job.status)) {
    if (performance.now() - posted > maxMs) {
      cutShort = true;
      break;
    }
    await sleep(POLL_MS);
    job = await operator.job(id);
    if (!cpuAtSelection && job.progress.total !== null) {
      cpuAtSelection = readCpu(cpu);
      selectionSeenAt = performance.now();
      doneAtSelection = job.progress.done;
    }
  }
  const ended = performance.now();
  const wallMs = ended - posted;
  const cpuEnd = readCpu(cpu);
  const cpuBatches = Object.fromEntries(
    Object.entries(cpuEnd).map(([name, end]) => [name, end - (cpuAtSelection?.[name] ?? end)]),
  );
  const apiStats = (await (await fetch(`${apiOrigin}/dev/stats`)).json()) as {
    accepted: number;
    rejected: Record<string, number>;
  };
  const authStats = await platformStats(issuer);
  return {
    job,
    wallMs,
    cpuBatches,
    cpuBatchesWallMs: cpuAtSelection ? ended - selectionSeenAt : 0,
    stepsInBatches: job.progress.done - doneAtSelection,
    apiRequests: apiStats.accepted,
    clientCredentials: authStats.tokenRequests.client_credentials ?? 0,
    expiredTokensAtApi: apiStats.rejected.expired ?? 0,
    cutShort,
    loadAverage: [loadAtStart, loadavg()[0] ?? Number.NaN],
  };
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/** The job's own timeline, from the times the BFF reports (its database clock). */
function timeline(job: JobView) {
  const started = ms(job.startedAt);
  const finished = ms(job.finishedAt);
  const selection = ms(job.events.find((e) => e.kind === 'selection_resolved')?.at);
  const batches = job.events.filter((e) => e.kind === 'batch_started').map((e) => ms(e.at));
  // Each batch runs from its batch_started to the next one (the last one to the end).
  const batchMs = batches.map((at, i) => (batches[i + 1] ?? finished) - at);
  const done = job.progress.done;
  return {
    queuedMs: started - ms(job.createdAt),
    totalMs: finished - started,
    selectionMs: selection - started,
    afterSelectionMs: finished - selection,
    batchMs,
    rate: done / ((finished - started) / 1000),
    rateAfterSelection: done / ((finished - selection) / 1000),
  };
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => sorted(values)[Math.floor(values.length / 2)] ?? Number.NaN;

export interface RolloutThroughputOptions {
  fleetSize: number;
  batchSize: number;
  concurrency: number;
  commandPollMs: number;
  /** Budget on PostgreSQL, device steps per second from the job's start to its end. */
  minStepsPerSecond: number;
  /** Longest a rollout may take per backend before the bench stops waiting (it is then a fail). */
  maxMsPerBackend: number;
  /** Default: both, PGlite first. */
  backends?: readonly Backend[];
}

type Backend = 'pglite' | 'postgres';

export const rolloutBudgetName = (o: { minStepsPerSecond: number; fleetSize: number }) =>
  `firmware rollout over ${o.fleetSize} devices on PostgreSQL: ≥ ${o.minStepsPerSecond} device steps/s`;
export const rolloutTitle = (o: RolloutThroughputOptions) =>
  `7. firmware rollout throughput: ${o.fleetSize} instant simulated devices, one job over the whole fleet`;

/**
 * Device steps per second of one firmware rollout over the whole fleet, on PGlite (embedded, in the
 * BFF's process) and on PostgreSQL (started here, stopped after). Steps per second are the job's
 * items done over its `finishedAt - startedAt`, as `GET /bff/jobs/:id` reports them; the selection
 * step (paging `GET /devices` over the fleet) is shown apart, from the `selection_resolved` event.
 */
export async function rolloutThroughput(tmp: string, o: RolloutThroughputOptions): Promise<JobReport> {
  const began = performance.now();
  const platformEnv = { API_FLEET_SIZE: String(o.fleetSize), API_FIRMWARE_UPDATE_SECONDS: '0' };
  const bffEnv = {
    JOBS_CONCURRENCY: String(o.concurrency),
    JOBS_COMMAND_POLL_MS: String(o.commandPollMs),
  };
  const params = {
    version: '9.9.9',
    selection: {},
    batchSize: o.batchSize,
    canary: 0,
    failureThreshold: 1,
  };
  const runs = new Map<Backend, RolloutRun | Error>();
  for (const backend of o.backends ?? (['pglite', 'postgres'] as const)) {
    let postgres: PostgresServer | undefined;
    // Not under `tmp`: PostgreSQL runs as another user, who cannot enter the bench's private folder.
    const pgData = join(tmpdir(), `iot-bench-postgres-${process.pid}`);
    let stack: JobsStack | undefined;
    try {
      if (backend === 'postgres') {
        await rm(pgData, { recursive: true, force: true });
        postgres = await startPostgres({ dataDir: pgData, database: 'jobs' });
      }
      stack = await startJobsStack(
        tmp,
        platformEnv,
        postgres ? { ...bffEnv, DATABASE_URL: postgres.url } : bffEnv,
      );
      const { platform, bff } = stack;
      const cpu: CpuProbe = {
        bff: () => cpuSeconds(processTree(bff.pid)),
        platform: () => cpuSeconds(processTree(platform.pid)),
        ...(postgres ? { postgres: () => cpuSeconds(processTree((postgres as PostgresServer).pid)) } : {}),
      };
      const run = await runRollout(stack, params, o.maxMsPerBackend, cpu);
      if (run.job.status === 'failed') throw new Error(`the rollout failed: ${run.job.error}`);
      runs.set(backend, run);
    } catch (error) {
      const detail = stack?.bff.stderr.slice(-2).join(' | ');
      runs.set(backend, new Error(`${(error as Error).message}${detail ? ` (BFF stderr: ${detail})` : ''}`));
    } finally {
      await stack?.close();
      await postgres?.stop();
      await rm(pgData, { recursive: true, force: true });
    }
  }

  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const rateOf = new Map<Backend, number>();
  const problems = new Map<Backend, string>();
  for (const [backend, run] of runs) {
    const label = backend === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL 15';
    if (run instanceof Error) {
      rows.push([label, 'error', '', '', '', '', '']);
      problems.set(backend, run.message);
      notes.push(`${label}: ${run.message}`);
      continue;
    }
    const t = timeline(run.job);
    if (run.cutShort) {
      problems.set(backend, `still ${run.job.status} after ${o.maxMsPerBackend / 1000} s (stopped waiting)`);
    }
    // A rollout cut short: the rate so far (items done over the time since its start).
    const rate = run.cutShort
      ? run.job.progress.done / ((Date.now() - ms(run.job.startedAt)) / 1000)
      : t.rate;
    rateOf.set(backend, rate);
    rows.push([
      label,
      `${run.job.progress.done}/${run.job.progress.total ?? '?'}`,
      fixed(t.totalMs / 1000, 1),
      fixed(rate, 0),
      fixed(t.selectionMs / 1000, 1),
      fixed(t.rateAfterSelection, 0),
      fixed(run.apiRequests / Math.max(1, run.job.progress.done), 2),
    ]);
    const msPerStep = Object.entries(run.cpuBatches).map(
      ([name, seconds]) => [name, (1000 * seconds) / Math.max(1, run.stepsInBatches)] as const,
    );
    const perStep = msPerStep.map(([name, perStepMs]) => `${name} ${fixed(perStepMs, 2)} ms`).join(', ');
    // What the CPU cost alone allows with every core free for these processes.
    const ceiling = (availableParallelism() * 1000) / msPerStep.reduce((total, [, v]) => total + v, 0);
    const cores = Object.entries(run.cpuBatches)
      .map(([name, seconds]) => `${name} ${fixed((100 * seconds) / (run.cpuBatchesWallMs / 1000), 0)} %`)
      .join(', ');
    const outcomes = Object.entries(run.job.summary)
      .map(([outcome, n]) => `${outcome} ${n}`)
      .join(', ');
    notes.push(
      `${label}: batches of ${o.batchSize} took median ${fixed(median(t.batchMs) / 1000, 2)} s ` +
        `(min ${fixed(Math.min(...t.batchMs) / 1000, 2)}, max ${fixed(Math.max(...t.batchMs) / 1000, 2)}); ` +
        `CPU per device step while the batches ran: ${perStep} (share of one core: ${cores}; CPU-bound ` +
        `ceiling on ${availableParallelism()} free cores ≈ ${fixed(ceiling, 0)} steps/s); load average ` +
        `${run.loadAverage.map((l) => fixed(l, 1)).join(' → ')}; queued ${fixed(t.queuedMs, 0)} ms ` +
        `before start; outcomes: ${outcomes}`,
    );
  }
  notes.push(
    `settings: API_FLEET_SIZE=${o.fleetSize}, API_FIRMWARE_UPDATE_SECONDS=0 (failure rate default 5 %), ` +
      `JOBS_CONCURRENCY=${o.concurrency}, JOBS_COMMAND_POLL_MS=${o.commandPollMs}; params batchSize ` +
      `${o.batchSize}, canary 0, failureThreshold 1, selection {} (whole fleet); PostgreSQL: Debian's 15, ` +
      'private data dir, fsync on; platform, BFF and PostgreSQL in separate processes; job polled every ' +
      `${POLL_MS} ms with GET /bff/jobs/:id`,
    'steps/s = items done / (finishedAt - startedAt); "after selection" counts from the ' +
      'selection_resolved event (the selection pages GET /devices over the whole fleet, 1000 at a time)',
    `measured in ${fixed((performance.now() - began) / 1000, 0)} s (both databases, starts and stops included)`,
  );
  const pgRate = rateOf.get('postgres') ?? Number.NaN;
  const pgProblem = problems.get('postgres');
  return {
    title:
      `${rolloutTitle(o)} (batchSize ${o.batchSize}, canary 0, JOBS_CONCURRENCY ${o.concurrency}, ` +
      `JOBS_COMMAND_POLL_MS ${o.commandPollMs})`,
    table: {
      head: [
        'database',
        'done',
        'seconds',
        'steps/s',
        'selection s',
        'steps/s after selection',
        'API req/step',
      ],
      rows,
    },
    notes,
    budgets: [
      {
        name: rolloutBudgetName(o),
        pass: !pgProblem && pgRate >= o.minStepsPerSecond,
        detail:
          `${fixed(pgRate, 0)} steps/s (PGlite, no budget: ${fixed(rateOf.get('pglite') ?? Number.NaN, 0)})` +
          (pgProblem ? `; ${pgProblem}` : ''),
      },
    ],
  };
}

export interface TokenRequestsOptions {
  /** The platform's access-token lifetime (the scaled-down 15 minutes). */
  accessTokenTtlSeconds: number;
  /** Scale of time: 60 means 1 s here stands for 60 s in production. */
  timeScale: number;
  refreshLeewaySeconds: number;
  refreshSafetyMarginSeconds: number;
  fleetSize: number;
  firmwareUpdateSeconds: number;
  concurrency: number;
  commandPollMs: number;
  batchSize: number;
  maxPerLifetime: number;
  maxMs: number;
  /** Called once the job is started (another measurement may then run alongside: this one waits). */
  onStarted?: () => void;
}

export const tokenBudgetName = (o: TokenRequestsOptions) =>
  `service-account token requests over a long rollout: ≤ ${fixed(o.maxPerLifetime, 1)} per access-token lifetime`;
export const tokenTitle = '9. service-account token requests over a long rollout (time scaled 60:1)';

/**
 * "A 1-hour rollout with 15-minute tokens makes one token request per token lifetime", scaled in
 * time: access tokens of `accessTokenTtlSeconds`, the BFF's renewal leeway and safety margin scaled
 * alike, and a rollout that runs for about four lifetimes. Counts the client-credentials grants at the
 * authorization server (`/dev/stats`) while the job runs.
 */
export async function tokenRequestsOverRollout(tmp: string, o: TokenRequestsOptions): Promise<JobReport> {
  const began = performance.now();
  const stack = await startJobsStack(
    tmp,
    {
      API_FLEET_SIZE: String(o.fleetSize),
      API_FIRMWARE_UPDATE_SECONDS: String(o.firmwareUpdateSeconds),
      AUTH_ACCESS_TOKEN_TTL: String(o.accessTokenTtlSeconds),
    },
    {
      JOBS_CONCURRENCY: String(o.concurrency),
      JOBS_COMMAND_POLL_MS: String(o.commandPollMs),
      REFRESH_LEEWAY_SECONDS: String(o.refreshLeewaySeconds),
      REFRESH_SAFETY_MARGIN_SECONDS: String(o.refreshSafetyMarginSeconds),
    },
  );
  try {
    const auditBefore = await stack.bff.audit();
    const run = await runRollout(
      stack,
      { version: '9.9.9', selection: {}, batchSize: o.batchSize, canary: 0, failureThreshold: 1 },
      o.maxMs,
      {},
      o.onStarted,
    );
    const auditAfter = await stack.bff.audit();
    const t = timeline(run.job);
    const seconds = run.cutShort ? run.wallMs / 1000 : t.totalMs / 1000;
    const lifetimes = seconds / o.accessTokenTtlSeconds;
    const perLifetime = run.clientCredentials / lifetimes;
    // Renewed once the leeway is reached: one request at the start, then one per (lifetime - leeway).
    const ideal = Math.ceil(seconds / (o.accessTokenTtlSeconds - o.refreshLeewaySeconds));
    const bffTokenEvents = (auditAfter.service_account_token ?? 0) - (auditBefore.service_account_token ?? 0);
    const problems = [
      ...(run.cutShort ? [`the rollout was still ${run.job.status} after ${o.maxMs / 1000} s`] : []),
      ...(run.job.status === 'failed' ? [`the rollout failed: ${run.job.error}`] : []),
      ...(run.expiredTokensAtApi > 0
        ? [`${run.expiredTokensAtApi} expired tokens reached the device API`]
        : []),
      ...(lifetimes < 3 ? [`the rollout lasted only ${fixed(lifetimes, 1)} token lifetimes`] : []),
    ];
    const scaled = (s: number) => `${fixed(s, 0)} s (${fixed((s * o.timeScale) / 60, 0)} min at 60:1)`;
    return {
      title:
        `${tokenTitle}: access tokens ${o.accessTokenTtlSeconds} s, REFRESH_LEEWAY_SECONDS ` +
        `${o.refreshLeewaySeconds}, REFRESH_SAFETY_MARGIN_SECONDS ${o.refreshSafetyMarginSeconds}`,
      table: {
        head: ['measure', 'value'],
        rows: [
          ['rollout duration (startedAt → finishedAt)', scaled(seconds)],
          ['access-token lifetimes in it', fixed(lifetimes, 2)],
          ['client-credentials token requests at the AS', run.clientCredentials],
          ["  the BFF's own count (audit service_account_token)", bffTokenEvents],
          ['token requests per token lifetime', fixed(perLifetime, 2)],
          [`ideal (one, then one every ${o.accessTokenTtlSeconds - o.refreshLeewaySeconds} s)`, ideal],
          ['device API requests (all with the service token)', run.apiRequests],
          ['expired tokens refused by the device API', run.expiredTokensAtApi],
        ],
      },
      notes: [
        `TIME IS SCALED 60:1: a ${o.accessTokenTtlSeconds} s token stands for a ` +
          `${(o.accessTokenTtlSeconds * o.timeScale) / 60}-minute one, the leeway of ` +
          `${o.refreshLeewaySeconds} s for ${(o.refreshLeewaySeconds * o.timeScale) / 60} min, and the ` +
          `~${fixed(seconds, 0)} s rollout for ~${fixed((seconds * o.timeScale) / 3600, 1)} h`,
        `rollout: ${run.job.progress.done} devices (API_FLEET_SIZE=${o.fleetSize}, ` +
          `API_FIRMWARE_UPDATE_SECONDS=${o.firmwareUpdateSeconds}), batchSize ${o.batchSize}, ` +
          `JOBS_CONCURRENCY=${o.concurrency}, JOBS_COMMAND_POLL_MS=${o.commandPollMs}; PGlite; token ` +
          'requests counted from the job start request to its end (the sign-in grants excluded)',
        `measured in ${fixed((performance.now() - began) / 1000, 0)} s (servers' start included)`,
      ],
      budgets: [
        {
          name: tokenBudgetName(o),
          pass: problems.length === 0 && perLifetime <= o.maxPerLifetime && run.clientCredentials >= 1,
          detail:
            `${fixed(perLifetime, 2)} per lifetime (${run.clientCredentials} requests over ` +
            `${fixed(seconds, 0)} s of ${o.accessTokenTtlSeconds} s tokens; ideal ${ideal})` +
            (problems.length > 0 ? `; ${problems.join('; ')}` : ''),
        },
      ],
    };
  } finally {
    await stack.close();
  }
}
