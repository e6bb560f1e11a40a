import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { SessionCookieCodec } from '../bff/session/index.ts';
import { keepAliveAgent, type LoadResult, mergeResults, percentile, runLoad } from './load.ts';
import { platformStats } from './platform-stats.ts';
import { type BudgetCheck, fixed, type JobReport } from './report.ts';
import type { ServerProcess } from './server-process.ts';
import { openSession, signIn } from './sign-in.ts';

export interface ThroughputOptions {
  path: string;
  concurrency: number;
  warmUpMs: number;
  durationMs: number;
  /** Each round measures both targets once; the order flips every round (ABBA) to cancel drift. */
  rounds: number;
  minRatio: number;
}

type Target = 'bare' | 'bff';

/**
 * BFF `/api/*` against a bare Hono proxy in the same process, to the same upstream endpoint, with the
 * same bearer token and the same upstream client (bench/servers.ts): the ratio of their throughputs is
 * the cost of the BFF's own work per request (session cookie, CSRF check, refresh check, headers).
 */
export async function proxyThroughput(servers: ServerProcess, o: ThroughputOptions): Promise<JobReport> {
  const { appUrl, bareProxyUrl, cookieSecrets, issuer, refreshLeewaySeconds } = servers.ready;
  const { cookieHeader } = await signIn(appUrl);
  const session = await openSession(new SessionCookieCodec({ passwords: cookieSecrets }), cookieHeader);
  if (!session) throw new Error('could not open the session cookie of the throughput run');

  // A refresh in the middle would make the BFF do extra work the baseline never does.
  const plannedMs = (o.rounds + 1) * 2 * (o.warmUpMs + o.durationMs) + 10_000;
  const headroomMs = session.accessTokenExpiresAt - refreshLeewaySeconds * 1000 - Date.now();
  if (headroomMs < plannedMs) {
    throw new Error(`access token is due for refresh in ${headroomMs} ms, the run needs ${plannedMs} ms`);
  }
  await servers.setBareToken(session.accessToken);

  const targets: Record<Target, { url: URL; headers: Record<string, string> }> = {
    bare: { url: new URL(`/api${o.path}`, bareProxyUrl), headers: { accept: 'application/json' } },
    bff: {
      url: new URL(`/api${o.path}`, appUrl),
      headers: { accept: 'application/json', cookie: cookieHeader, 'x-csrf': '1' },
    },
  };

  // Both must answer 200 with the same document, or the comparison measures different work.
  const probe = async (target: Target) => {
    const response = await fetch(targets[target].url, { headers: targets[target].headers });
    if (response.status !== 200)
      throw new Error(`${target} answered ${response.status}: ${await response.text()}`);
    return response.json();
  };
  const [bareBody, bffBody] = [await probe('bare'), await probe('bff')];
  if (!isDeepStrictEqual(bareBody, bffBody)) throw new Error('the BFF and the bare proxy answer differently');

  const refreshesBefore = (await platformStats(issuer)).tokenRequests.refresh_token ?? 0;
  const segments: { round: number; target: Target; result: LoadResult; serversCpuMs: number }[] = [];
  // Both code paths hot before anything counts: otherwise the first segment pays for the JIT.
  for (const target of ['bare', 'bff'] as const) {
    const agent = keepAliveAgent(o.concurrency);
    await runLoad({ ...targets[target], concurrency: o.concurrency, agent, durationMs: o.warmUpMs });
    agent.destroy();
  }
  // CPU over the whole loop: the servers near 100% of a core and the generator well below says the
  // servers, not the generator, set the pace.
  const serversCpuBefore = (await servers.stats()).cpuMs;
  const ownCpuBefore = process.cpuUsage();
  const loopStarted = performance.now();
  for (let round = 0; round < o.rounds; round++) {
    const order: Target[] = round % 2 === 0 ? ['bare', 'bff'] : ['bff', 'bare'];
    for (const target of order) {
      // A fresh agent per segment: no half-closed idle sockets carried over from the last one.
      const agent = keepAliveAgent(o.concurrency);
      const load = { ...targets[target], concurrency: o.concurrency, agent };
      await runLoad({ ...load, durationMs: o.warmUpMs });
      const cpuBefore = (await servers.stats()).cpuMs;
      const result = await runLoad({ ...load, durationMs: o.durationMs });
      segments.push({ round, target, result, serversCpuMs: (await servers.stats()).cpuMs - cpuBefore });
      agent.destroy();
    }
  }
  const loopMs = performance.now() - loopStarted;
  const serversCpu = ((await servers.stats()).cpuMs - serversCpuBefore) / loopMs;
  const ownCpuUsed = process.cpuUsage(ownCpuBefore);
  const ownCpu = (ownCpuUsed.user + ownCpuUsed.system) / 1000 / loopMs;
  const refreshesDuring = ((await platformStats(issuer)).tokenRequests.refresh_token ?? 0) - refreshesBefore;

  const summary = (target: Target) => {
    const merged = mergeResults(segments.filter((s) => s.target === target).map((s) => s.result));
    return { ...merged, rps: merged.ok / merged.seconds };
  };
  const bare = summary('bare');
  const bff = summary('bff');
  const ratio = bff.rps / bare.rps;
  // The servers' CPU time per answered request: what a request costs them. Its ratio is a second
  // reading of the same quantity (a saturated server's capacity is CPU / cost), so a req/s ratio
  // moved by other load shows up as a disagreement between the two.
  const cpuPerRequest = (target: Target) => {
    const mine = segments.filter((s) => s.target === target);
    return mine.reduce((sum, s) => sum + s.serversCpuMs, 0) / mine.reduce((sum, s) => sum + s.result.ok, 0);
  };
  const capacityRatio = cpuPerRequest('bare') / cpuPerRequest('bff');
  // Each round's own ratio: how far they spread says how noisy the machine was during this run.
  const rps = (round: number, target: Target) => {
    const result = segments.find((s) => s.round === round && s.target === target)?.result;
    return result ? result.ok / result.seconds : Number.NaN;
  };
  const roundRatios = Array.from({ length: o.rounds }, (_, round) => rps(round, 'bff') / rps(round, 'bare'));
  const segmentList = segments.map((s) => `${s.target} ${fixed(rps(s.round, s.target), 0)}`).join(', ');
  const row = (label: string, s: typeof bare) => [
    label,
    s.ok,
    fixed(s.rps, 0),
    fixed(percentile(s.latenciesMs, 50), 2),
    fixed(percentile(s.latenciesMs, 99), 2),
    s.failures,
  ];

  const problems = [
    ...(bare.failures + bff.failures > 0 ? [`${bare.failures + bff.failures} failed requests`] : []),
    ...(refreshesDuring > 0 ? [`${refreshesDuring} refreshes during the run`] : []),
  ];
  const budget: BudgetCheck = {
    name: 'proxy throughput BFF/bare',
    pass: ratio >= o.minRatio && problems.length === 0,
    detail:
      `${fixed(ratio, 3)} (budget ≥ ${fixed(o.minRatio, 2)}; ${fixed(bff.rps, 0)} vs ${fixed(bare.rps, 0)} req/s; ` +
      `from server CPU per request ${fixed(capacityRatio, 3)}: ` +
      `${fixed(cpuPerRequest('bff') * 1000, 0)} vs ${fixed(cpuPerRequest('bare') * 1000, 0)} µs)` +
      (problems.length > 0 ? `; invalid run: ${problems.join(', ')}` : ''),
  };
  return {
    title:
      `1. proxy throughput: GET /api${o.path}, ${o.concurrency} connections, ` +
      `${o.rounds} × ${o.durationMs / 1000} s per target, each after ${o.warmUpMs / 1000} s warm-up, ` +
      'alternated',
    table: {
      head: ['target', 'ok', 'req/s', 'p50 ms', 'p99 ms', 'failed'],
      rows: [
        row('bare Hono proxy', bare),
        row('BFF /api/*', bff),
        ['ratio BFF/bare', '', fixed(ratio, 3), '', '', ''],
        [
          'server CPU µs per request',
          '',
          `${fixed(cpuPerRequest('bare') * 1000, 0)} / ${fixed(cpuPerRequest('bff') * 1000, 0)}`,
          '',
          '',
          '',
        ],
        ['capacity ratio (CPU)', '', fixed(capacityRatio, 3), '', '', ''],
      ],
    },
    notes: [
      `segments in order (req/s): ${segmentList}`,
      `per-round CPU capacity ratios: ${Array.from({ length: o.rounds }, (_, round) => {
        const cost = (target: Target) => {
          const seg = segments.find((x) => x.round === round && x.target === target);
          return seg ? seg.serversCpuMs / seg.result.ok : Number.NaN;
        };
        return fixed(cost('bare') / cost('bff'), 3);
      }).join(', ')}`,
      `per-round ratios: ${roundRatios.map((r) => fixed(r, 3)).join(', ')} (spread ` +
        `${fixed(Math.min(...roundRatios), 3)}–${fixed(Math.max(...roundRatios), 3)}; wide means other load)`,
      `CPU during the runs, share of one core: servers process ${fixed(serversCpu * 100, 0)}%, ` +
        `load generator ${fixed(ownCpu * 100, 0)}%`,
      'same upstream, token and upstream client (the undici pool of bff/proxy/upstream-client.ts); ' +
        `bare = Hono with a fixed bearer; BFF adds cookie + X-CSRF: 1; ` +
        `refresh_token grants during the run: ${refreshesDuring}`,
    ],
    budgets: [budget],
  };
}
