import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cookieSize } from './cookie-size.ts';
import { idleSessions } from './idle-sessions.ts';
import { proxyThroughput } from './proxy-throughput.ts';
import { refreshRace } from './refresh-race.ts';
import { type BudgetCheck, type JobReport, printBudgets, printJob } from './report.ts';
import { ServerProcess } from './server-process.ts';

/**
 * `npm run bench`: DESIGN.md section 7's server-side budgets, measured as ratios and counts in one run.
 * The servers run in child processes (bench/servers.ts) so this process, the load generator, does not
 * compete with them for an event loop. Exits 1 when a budget fails, 2 when the bench itself breaks.
 */

const DEVICE_PATH = '/devices/dev-0001';
const HARD_DEADLINE_MS = 120_000;

/** 1-minute load average: above the core count, something else competes and ratios get noisy. */
const loadAverage = () => loadavg()[0]?.toFixed(2) ?? 'n/a';

const started = performance.now();
const tmp = await mkdtemp(join(tmpdir(), 'iot-bench-'));
const running: ServerProcess[] = [];

const abandon = (reason: string, code: number) => {
  console.error(`bench: ${reason}`);
  for (const servers of running) servers.kill();
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
      'servers in 2 child processes',
  );
  const starts = await Promise.allSettled([
    ServerProcess.start('main', {}, tmp),
    // Access tokens of 5 s and no leeway: the race happens after a real expiry, a few seconds in.
    ServerProcess.start(
      'race',
      { platformEnv: { AUTH_ACCESS_TOKEN_TTL: '5' }, bffEnv: { REFRESH_LEEWAY_SECONDS: '0' } },
      tmp,
    ),
  ]);
  for (const s of starts) if (s.status === 'fulfilled') running.push(s.value);
  const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const [main, race] = running as [ServerProcess, ServerProcess];

  reports.push(
    await proxyThroughput(main, {
      path: DEVICE_PATH,
      concurrency: 32,
      warmUpMs: 1000,
      durationMs: 2500,
      // Four short alternating rounds rather than two long ones: drift from other load averages out.
      rounds: 4,
      minRatio: 0.9,
    }),
  );
  reports.push(await refreshRace(race, { requests: 200, path: DEVICE_PATH }));
  reports.push(await cookieSize(main, { maxBytes: 2048, bigTokenBytes: 6 * 1024 }));
  reports.push(await idleSessions(main, { sessions: 50, parallel: 8, path: DEVICE_PATH }));
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
