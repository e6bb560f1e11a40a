import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cookieSize } from './cookie-size.ts';
import { idleSessions } from './idle-sessions.ts';
import { type FaultMode, idpDownExpired, refreshDueLatency, signInAgingSession } from './idp-faults.ts';
import { killJobsProcesses } from './jobs-process.ts';
import {
  type RolloutThroughputOptions,
  rolloutBudgetName,
  rolloutThroughput,
  rolloutTitle,
  type TokenRequestsOptions,
  tokenBudgetName,
  tokenRequestsOverRollout,
  tokenTitle,
} from './jobs-rollout.ts';
import { proxyThroughput } from './proxy-throughput.ts';
import { type PlatformProfile, raceBudgetName, raceTitle, refreshRace } from './refresh-race.ts';
import { type BudgetCheck, failedJob, type JobReport, printBudgets, printJob } from './report.ts';
import { ServerProcess } from './server-process.ts';
import {
  killStartProcesses,
  type StartupOptions,
  startup,
  startupBudgetNames,
  startupTitle,
} from './startup.ts';

/**
 * `npm run bench`: DESIGN.md section 7's server-side budgets, measured as ratios and counts in one run.
 * The servers run in child processes (bench/servers.ts) so this process, the load generator, does not
 * compete with them for an event loop. Exits 1 when a budget fails, 2 when the bench itself breaks.
 */

const DEVICE_PATH = '/devices/dev-0001';
// About 100 s on a 2-core machine; the IdP-fault runs take longer while the BFF holds requests for
// its refresh budget (each of their segments is capped, see bench/idp-faults.ts). The automation-jobs
// measurements add about 2.5 minutes (a 10,000-device rollout on each database, a ~60 s rollout).
const HARD_DEADLINE_MS = 540_000;
const RACE_REQUESTS = 200;

/** 1-minute load average: above the core count, something else competes and ratios get noisy. */
const loadAverage = () => loadavg()[0]?.toFixed(2) ?? 'n/a';

const started = performance.now();
const tmp = await mkdtemp(join(tmpdir(), 'iot-bench-'));
const running: ServerProcess[] = [];

const abandon = (reason: string, code: number) => {
  console.error(`bench: ${reason}`);
  for (const servers of running) servers.kill();
  killJobsProcesses();
  killStartProcesses();
  rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
};
// Bounded even if something hangs; unref'd so it never keeps a finished run alive.
setTimeout(
  () => abandon(`still running after ${HARD_DEADLINE_MS / 1000} s, stopped`, 2),
  HARD_DEADLINE_MS,
).unref();
process.once('SIGINT', () => abandon('interrupted', 130));

const reports: JobReport[] = [];
try {
  console.log(
    `bench: node ${process.version}, ${availableParallelism()} cores, load average ${loadAverage()}; ` +
      'servers in 5 child processes (one measured at a time), then the automation-jobs measurements ' +
      '(platform, BFF and PostgreSQL in processes of their own)',
  );
  // Access tokens of 5 s and no leeway: the race happens after a real expiry, a few seconds in. The
  // race runs against both of the platform's AUTH_PROFILEs; the BFF keeps its defaults for both
  // (OIDC_CLIENT_AUTH included).
  const race = (profile: PlatformProfile) => ({
    platformEnv: { AUTH_ACCESS_TOKEN_TTL: '5', AUTH_PROFILE: profile },
    bffEnv: { REFRESH_LEEWAY_SECONDS: '0' },
  });
  // 120 s access tokens, the BFF at its defaults: sessions signed in now are inside the 60 s leeway
  // by the time refreshDueLatency runs. One servers process per IdP fault mode.
  const idpFault = { platformEnv: { AUTH_ACCESS_TOKEN_TTL: '120' } };
  const starts = await Promise.allSettled([
    ServerProcess.start('main', {}, tmp),
    ServerProcess.start('race', race('strict'), tmp),
    ServerProcess.start('idp-down', idpFault, tmp),
    ServerProcess.start('idp-slow', idpFault, tmp),
    ServerProcess.start('race-lenient', race('lenient'), tmp),
  ]);
  for (const s of starts) if (s.status === 'fulfilled') running.push(s.value);
  // Without the first four there is no bench; the lenient servers failing to start (a platform or
  // BFF that cannot run that profile) fails that profile's budget line instead.
  const failed = starts.slice(0, 4).find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const [main, raceServers, idpDown, idpSlow] = running as ServerProcess[] as [
    ServerProcess,
    ServerProcess,
    ServerProcess,
    ServerProcess,
  ];
  const lenientStart = starts[4];
  const lenient = lenientStart?.status === 'fulfilled' ? lenientStart.value : (lenientStart?.reason as Error);
  // Signed in first, so that the wait for their tokens to become due overlaps the jobs before.
  const agingCookies: [FaultMode, ServerProcess, string][] = [
    ['down', idpDown, await signInAgingSession(idpDown)],
    ['slow', idpSlow, await signInAgingSession(idpSlow)],
  ];

  reports.push(
    await proxyThroughput(main, {
      path: DEVICE_PATH,
      concurrency: 32,
      warmUpMs: 1000,
      durationMs: 2500,
      // Six short alternating rounds rather than two long ones: drift from other load averages out.
      rounds: 6,
      minRatio: 0.9,
    }),
  );
  const profiles: [PlatformProfile, ServerProcess | Error][] = [
    ['strict', raceServers],
    ['lenient', lenient],
  ];
  for (const [profile, servers] of profiles) {
    const job = { requests: RACE_REQUESTS, path: DEVICE_PATH, profile };
    reports.push(
      servers instanceof Error
        ? failedJob(raceTitle(profile, RACE_REQUESTS, DEVICE_PATH), [raceBudgetName(profile)], servers)
        : await refreshRace(servers, job).catch((error: unknown) =>
            failedJob(raceTitle(profile, RACE_REQUESTS, DEVICE_PATH), [raceBudgetName(profile)], error),
          ),
    );
    if (servers instanceof ServerProcess && profile === 'lenient') await servers.close();
  }
  for (const [mode, servers, agingCookie] of agingCookies) {
    const job = {
      mode,
      agingCookie,
      path: DEVICE_PATH,
      concurrency: 16,
      // Eight short alternating rounds: a burst of other load lands on both sides, not on one.
      requests: 250,
      rounds: 8,
      warmUpRequests: 300,
      warmUpMaxMs: 3000,
      segmentMaxMs: 8000,
      // Longer than the whole run: the refresh stays in flight while it is measured.
      slowDelayMs: 30_000,
      maxRatio: 1.2,
    };
    reports.push(await refreshDueLatency(servers, job));
    // Done with these servers: a token request still held by the slow IdP goes with them.
    await servers.close();
  }
  // After the race, on the same servers (5 s access tokens: the wait for an expiry is short).
  reports.push(
    await idpDownExpired(raceServers, {
      path: DEVICE_PATH,
      concurrency: 8,
      requests: 200,
      maxMs: 3000,
      maxP99Ms: 100,
    }),
  );
  reports.push(await cookieSize(main, { maxBytes: 2048, bigTokenBytes: 6 * 1024 }));
  reports.push(await idleSessions(main, { sessions: 50, parallel: 8, path: DEVICE_PATH }));
  // Automation jobs. The servers above are done: closed, so that these runs have the machine.
  await Promise.all(running.map((servers) => servers.close()));
  const rollout: RolloutThroughputOptions = {
    fleetSize: 10_000,
    batchSize: 200,
    // Enough steps in flight to keep both the BFF and the platform busy; commands complete at once
    // (API_FIRMWARE_UPDATE_SECONDS=0), so the poll interval only matters for the rare pending one.
    concurrency: 50,
    commandPollMs: 100,
    minStepsPerSecond: 200,
    maxMsPerBackend: 100_000,
  };
  reports.push(
    await rolloutThroughput(tmp, rollout).catch((error: unknown) =>
      failedJob(rolloutTitle(rollout), [rolloutBudgetName(rollout)], error),
    ),
  );
  // "A 1-hour rollout with 15-minute tokens makes one token request per token lifetime", 60:1: 15 s
  // tokens, the BFF's leeway (60 s) and safety margin (10 s) scaled alike (1 s, 0 s), and a rollout of
  // about 60 s: 120 devices, 4 at a time, each update taking 2 s. Its result is a count, not a time,
  // so npm start's measurement runs alongside it (after its job has started) to keep the bench short.
  const tokenOptions: TokenRequestsOptions = {
    accessTokenTtlSeconds: 15,
    timeScale: 60,
    refreshLeewaySeconds: 1,
    refreshSafetyMarginSeconds: 0,
    fleetSize: 120,
    firmwareUpdateSeconds: 2,
    concurrency: 4,
    commandPollMs: 250,
    batchSize: 40,
    maxPerLifetime: 1.5,
    maxMs: 150_000,
  };
  let tokenJobStarted = () => {};
  const tokenJobRunning = new Promise<void>((resolve) => {
    tokenJobStarted = resolve;
  });
  const tokens = tokenRequestsOverRollout(tmp, { ...tokenOptions, onStarted: tokenJobStarted }).catch(
    (error: unknown) => failedJob(tokenTitle, [tokenBudgetName(tokenOptions)], error),
  );
  await Promise.race([tokenJobRunning, tokens]);
  const startupOptions: StartupOptions = {
    runsPerVariant: 2,
    idleMs: 5000,
    maxFirstPageDeltaMs: 1000,
    maxRssMb: 400,
  };
  const startupReport = await startup(tmp, startupOptions).catch((error: unknown) =>
    failedJob(startupTitle, startupBudgetNames(startupOptions), error),
  );
  startupReport.notes.push(
    "ran alongside measurement 9's rollout (its light load: ~20 device API requests/s), on both variants",
  );
  reports.push(startupReport);
  const tokenReport = await tokens;
  tokenReport.notes.push("npm start's measurement (8) ran alongside, after this job had started");
  reports.push(tokenReport);
} catch (error) {
  for (const report of reports) printJob(report);
  console.error(`\nbench: broke before finishing: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 2;
} finally {
  await Promise.all(running.map((servers) => servers.close()));
  await rm(tmp, { recursive: true, force: true });
}

if (process.exitCode !== 2) {
  for (const report of reports) printJob(report);
  const budgets: BudgetCheck[] = reports.flatMap((report) => report.budgets);
  printBudgets(budgets);
  const failures = budgets.filter((b) => !b.pass).length;
  console.log(
    `\nbench: ${budgets.length - failures}/${budgets.length} budgets hold; ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s; load average now ${loadAverage()}`,
  );
  if (failures > 0) process.exitCode = 1;
}
