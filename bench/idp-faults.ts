import { setTimeout as sleep } from 'node:timers/promises';
import { SessionCookieCodec } from '../bff/session/index.ts';
import {
  type CountedResult,
  keepAliveAgent,
  mergeResults,
  percentile,
  type Reply,
  runCounted,
  statusList,
} from './load.ts';
import { type IdpFault, platformStats, setIdpFault } from './platform-stats.ts';
import { fixed, type JobReport } from './report.ts';
import type { ServerProcess } from './server-process.ts';
import { openSession, signIn } from './sign-in.ts';

/** Longest the bench waits for an access token to expire (the servers run with a short lifetime). */
const MAX_EXPIRY_WAIT_MS = 30_000;
/** Longest the bench waits for an aging token to become due (normally the other jobs cover it). */
const MAX_DUE_WAIT_MS = 70_000;

const apiHeaders = (cookie: string) => ({ accept: 'application/json', cookie, 'x-csrf': '1' });

export interface RefreshDueOptions {
  mode: FaultMode;
  /** A session signed in with `signInAgingSession` early in the bench; its token is the due one. */
  agingCookie: string;
  path: string;
  concurrency: number;
  /** Requests per measured segment; both sides get the same count and the same concurrency. */
  requests: number;
  warmUpRequests: number;
  /** Each round measures both sides once; the order flips every round (ABBA) to cancel drift. */
  rounds: number;
  /**
   * No warm-up or segment starts a request after this (bounds the run when the BFF is slow). A due
   * side that cannot finish its warm-up in time has failed already: its segments are then skipped
   * and its numbers come from the warm-up.
   */
  warmUpMaxMs: number;
  segmentMaxMs: number;
  /** How long the IdP sits on each token request in `slow` mode: longer than the whole run. */
  slowDelayMs: number;
  maxRatio: number;
}

type Side = 'baseline' | 'due';
export type FaultMode = 'slow' | 'down';

const refreshDueBudgetNames = (mode: FaultMode, maxRatio: number) =>
  (['p50', 'p99'] as const).map(
    (p) =>
      `/api ${p} with a refresh due and the IdP ${mode === 'slow' ? 'slow (refresh in flight)' : 'down'}, ` +
      `vs no refresh due (budget ≤ ${fixed(maxRatio, 2)}×)`,
  );
const refreshDueTitle = (mode: FaultMode) =>
  `3${mode === 'down' ? 'a' : 'b'}. /api while a refresh is due and the IdP is ${mode}`;

/**
 * Signs in the session whose access token `refreshDueLatency` will use once it is due. Called at the
 * start of the bench, so that waiting for the token to age overlaps the other jobs.
 */
export async function signInAgingSession(servers: ServerProcess): Promise<string> {
  await setIdpFault(servers.ready.issuer, { mode: 'ok' });
  return (await signIn(servers.ready.appUrl)).cookieHeader;
}

/**
 * `/api` latency with the access token still valid but inside the refresh leeway, while the IdP is
 * slow (the refresh stays in flight) or down, against the same requests with no refresh due. A valid
 * token must be served at once, not held back while the refresh waits or retries.
 *
 * Design: one BFF at its defaults (leeway 60 s, its default safety margin and refresh budget), the
 * platform issuing 120 s access tokens, and two sessions on that same BFF: one signed in at the start
 * of the bench (by now inside the leeway: at most 60 s left, which is also at most half its lifetime,
 * so it is due whether the BFF counts the leeway alone or caps it at half the token's lifetime), and
 * one signed in just before the run (over 60 s left: not due). Same process, BFF, code path, request
 * and concurrency on both sides; only the age of the session's token differs. A leeway stretched over
 * the whole token lifetime would create "due" without waiting, but a BFF may rightly refuse to treat a
 * fresh token as due; an aged token is due under any policy. The run checks at its end that the due
 * token never came within the BFF's safety margin (where waiting is allowed) and that the baseline
 * token never became due. The fault is switched on before either side is measured; the sides alternate
 * (ABBA) under it. Each fault mode runs on servers of its own, so that one mode's IdP state (a held
 * token request, an open circuit) cannot leak into the other.
 */
export async function refreshDueLatency(servers: ServerProcess, o: RefreshDueOptions): Promise<JobReport> {
  const { appUrl, issuer, cookieSecrets, refreshLeewaySeconds, refreshBudgetMs, accessTokenTtlSeconds } =
    servers.ready;
  // A BFF without the setting: assume the default (10 s), the cautious side for this check.
  const marginMs = (servers.ready.refreshSafetyMarginSeconds ?? 10) * 1000;
  const leewayMs = refreshLeewaySeconds * 1000;
  const codec = new SessionCookieCodec({ passwords: cookieSecrets });
  const budgetNames = refreshDueBudgetNames(o.mode, o.maxRatio);

  const aged = await openSession(codec, o.agingCookie);
  if (!aged) throw new Error(`could not open the aged session cookie of the ${o.mode} run`);
  const lifetimeMs = aged.accessTokenExpiresAt - (aged.lastRefreshAt ?? aged.startedAt);
  // Due under either policy, with a second to spare.
  const dueAt = aged.accessTokenExpiresAt - Math.min(leewayMs, lifetimeMs / 2) + 1000;
  const waitMs = dueAt - Date.now();
  if (waitMs > MAX_DUE_WAIT_MS) throw new Error(`the aged token is due in ${waitMs} ms: lifetime too long`);
  if (waitMs > 0) await sleep(waitMs);
  const agedLeftAtStartMs = aged.accessTokenExpiresAt - Date.now();

  await setIdpFault(issuer, { mode: 'ok' });
  const { cookieHeader: freshCookie } = await signIn(appUrl);
  const fresh = await openSession(codec, freshCookie);
  if (!fresh) throw new Error(`could not open the fresh session cookie of the ${o.mode} run`);
  if (fresh.accessTokenExpiresAt - Date.now() <= leewayMs) {
    throw new Error('a new access token is due at once: the platform lifetime is too short for this run');
  }

  const headers: Record<Side, Record<string, string>> = {
    baseline: apiHeaders(freshCookie),
    due: apiHeaders(o.agingCookie),
  };
  const url = new URL(`/api${o.path}`, appUrl);
  const run = async (side: Side, requests: number, maxMs: number) => {
    const agent = keepAliveAgent(o.concurrency);
    try {
      return await runCounted({
        url,
        headers: headers[side],
        concurrency: o.concurrency,
        requests,
        maxMs,
        agent,
      });
    } finally {
      agent.destroy();
    }
  };

  const grantsBefore = (await platformStats(issuer)).tokenRequests.refresh_token ?? 0;
  const auditBefore = (await servers.stats()).audit;
  const fault: IdpFault = o.mode === 'slow' ? { mode: 'slow', delayMs: o.slowDelayMs } : { mode: 'down' };
  await setIdpFault(issuer, fault);
  const segments: { round: number; side: Side; result: CountedResult }[] = [];
  let warmUp: Record<Side, CountedResult>;
  let skipDue: boolean;
  try {
    // Both code paths hot before anything counts (the due side's first request starts the refresh).
    warmUp = {
      baseline: await run('baseline', o.warmUpRequests, o.warmUpMaxMs),
      due: await run('due', o.warmUpRequests, o.warmUpMaxMs),
    };
    // A due side that could not send its requests in time has failed the budget already: more of
    // its segments would only make the bench longer (each waits out the BFF's refresh budget).
    skipDue = warmUp.due.cutShort;
    for (let round = 0; round < o.rounds; round++) {
      const order: Side[] = round % 2 === 0 ? ['baseline', 'due'] : ['due', 'baseline'];
      for (const side of order) {
        if (side === 'due' && skipDue) continue;
        const result = await run(side, o.requests, o.segmentMaxMs);
        if (side === 'due' && result.cutShort) skipDue = true;
        segments.push({ round, side, result });
      }
    }
  } finally {
    await setIdpFault(issuer, { mode: 'ok' });
  }
  const agedLeftAtEndMs = aged.accessTokenExpiresAt - Date.now();
  const freshLeftAtEndMs = fresh.accessTokenExpiresAt - Date.now();
  const dueFromWarmUp = !segments.some((s) => s.side === 'due');
  if (dueFromWarmUp) segments.push({ round: -1, side: 'due', result: warmUp.due });
  const grantsDuring = ((await platformStats(issuer)).tokenRequests.refresh_token ?? 0) - grantsBefore;
  const auditAfter = (await servers.stats()).audit;
  // Every audit event the BFF wrote during the run (whatever the BFF names them).
  const auditDuring =
    Object.entries(auditAfter)
      .map(([event, n]) => [event, n - (auditBefore[event] ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .map(([event, n]) => `${event} ${n}`)
      .join(', ') || 'none';

  const side = (which: Side) => {
    const parts = segments.filter((s) => s.side === which).map((s) => s.result);
    const all = parts.flatMap((p) => p.allLatenciesMs);
    const statuses = new Map<string, number>();
    for (const part of parts) for (const [k, n] of part.statuses) statuses.set(k, (statuses.get(k) ?? 0) + n);
    return {
      answered: all.length,
      requested: parts.reduce((total, p) => total + p.requested, 0),
      failures: mergeResults(parts).failures,
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      max: all.length > 0 ? Math.max(...all) : Number.NaN,
      statuses,
    };
  };
  const baseline = side('baseline');
  const due = side('due');
  const ratios = { p50: due.p50 / baseline.p50, p99: due.p99 / baseline.p99 };

  // What the BFF got wrong on the due side (fails the budget whatever the ratio) …
  const dueProblems = [
    ...(due.answered < due.requested
      ? [`refresh-due side answered only ${due.answered}/${due.requested} before its time cap`]
      : []),
    ...(due.failures > 0 ? [`refresh-due side non-200 answers: ${statusList(due.statuses)}`] : []),
  ];
  // … and what makes the comparison itself invalid.
  const invalid = [
    ...(baseline.answered < baseline.requested
      ? [`baseline answered ${baseline.answered}/${baseline.requested} before its time cap`]
      : []),
    ...(baseline.failures > 0 ? [`baseline non-200 answers: ${statusList(baseline.statuses)}`] : []),
    ...(agedLeftAtEndMs <= marginMs
      ? [`the due token came within the BFF's safety margin (${marginMs / 1000} s) before the run ended`]
      : []),
    ...(freshLeftAtEndMs <= leewayMs ? ['the baseline token became due during the run'] : []),
    ...(o.mode === 'slow' && grantsDuring > 0
      ? [`${grantsDuring} refresh grants completed: the refresh did not stay in flight`]
      : []),
  ];

  // Per round, and the baseline against itself: how far these stray from 1 says how much other load
  // on the machine moved the numbers in this run.
  const at = (round: number, which: Side, p: number) =>
    percentile(segments.find((s) => s.round === round && s.side === which)?.result.allLatenciesMs ?? [], p);
  const measuredRounds = Array.from({ length: o.rounds }, (_, r) => r).filter((r) =>
    segments.some((s) => s.round === r && s.side === 'due'),
  );
  const perRound = (p: number) =>
    measuredRounds.map((r) => fixed(at(r, 'due', p) / at(r, 'baseline', p), 2)).join(', ') || 'none';
  const selfRatio = (p: number) => fixed(at(o.rounds - 1, 'baseline', p) / at(0, 'baseline', p), 2);
  const warm = (s: Side) =>
    `${warmUp[s].allLatenciesMs.length}/${o.warmUpRequests} answered, ` +
    `p50 ${fixed(percentile(warmUp[s].allLatenciesMs, 50), 1)} ms`;
  const row = (name: string, s: typeof baseline) => [
    name,
    `${s.answered}/${s.requested}`,
    fixed(s.p50, 2),
    fixed(s.p99, 2),
    fixed(s.max, 1),
    s.failures,
  ];
  const faultLabel =
    o.mode === 'slow' ? `IdP slow (${o.slowDelayMs / 1000} s per token request)` : 'IdP down (503)';

  return {
    title:
      `${refreshDueTitle(o.mode)}: ${faultLabel}; GET /api${o.path}, ${o.concurrency} connections, ` +
      `${o.rounds} × ${o.requests} requests per side after ${o.warmUpRequests} warm-up, alternated ` +
      `(AS access-token lifetime ${accessTokenTtlSeconds} s; BFF leeway ${refreshLeewaySeconds} s, ` +
      `safety margin ${marginMs / 1000} s, refresh budget ${refreshBudgetMs} ms: all defaults)`,
    table: {
      head: ['side', 'answered', 'p50 ms', 'p99 ms', 'max ms', 'failed'],
      rows: [
        row(`no refresh due (token ${fixed(lifetimeMs / 1000, 0)} s, new)`, baseline),
        row(`refresh due (token ${fixed(agedLeftAtStartMs / 1000, 0)} s from expiry at start)`, due),
        ['ratio due/none', '', fixed(ratios.p50, 2), fixed(ratios.p99, 2), '', ''],
      ],
    },
    notes: [
      `per-round ratios due/none p50 ${perRound(50)}; p99 ${perRound(99)}; baseline last round/first ` +
        `round p50 ${selfRatio(50)}, p99 ${selfRatio(99)} (far from 1: other load)`,
      `warm-up: baseline ${warm('baseline')}; due ${warm('due')}` +
        (dueFromWarmUp
          ? '; the due warm-up was cut short: due segments skipped, due numbers are the warm-up'
          : skipDue
            ? '; due segments after the first cut-short one skipped'
            : ''),
      `BFF audit events during the run: ${auditDuring}; refresh grants completed at the AS: ${grantsDuring}; ` +
        `due token ${fixed(agedLeftAtEndMs / 1000, 0)} s from expiry at the end`,
      'same BFF, request and concurrency on both sides, only the age of the session differs; latencies ' +
        `of every answer, whatever its status; no segment starts a request after ${o.segmentMaxMs / 1000} s`,
    ],
    budgets: (['p50', 'p99'] as const).map((p, i) => ({
      name: budgetNames[i] ?? p,
      pass: dueProblems.length === 0 && invalid.length === 0 && ratios[p] <= o.maxRatio,
      detail:
        `${fixed(ratios[p], 2)}× (${fixed(due[p], 2)} vs ${fixed(baseline[p], 2)} ms)` +
        (dueProblems.length > 0 ? `; ${dueProblems.join('; ')}` : '') +
        (invalid.length > 0 ? `; invalid run: ${invalid.join('; ')}` : ''),
    })),
  };
}

export interface IdpDownExpiredOptions {
  path: string;
  concurrency: number;
  requests: number;
  maxMs: number;
  maxP99Ms: number;
}

const idpDownBudgetName = (maxP99Ms: number) =>
  `/api with the IdP down and the access token expired: 503 idp_unavailable + Retry-After, ` +
  `p99 ≤ ${maxP99Ms} ms`;
const idpDownTitle = '4. /api with the IdP down and the access token expired';

/**
 * `/api` with the IdP down and an access token that has expired (the servers run with a short
 * access-token lifetime; the run waits it out): nothing can be served, so every answer must be a
 * prompt `503` with `error: "idp_unavailable"` and a `Retry-After`, not a request held for the whole
 * refresh budget. Measured with the BFF's default refresh budget.
 */
export async function idpDownExpired(servers: ServerProcess, o: IdpDownExpiredOptions): Promise<JobReport> {
  const { appUrl, issuer, cookieSecrets, refreshLeewaySeconds, accessTokenTtlSeconds } = servers.ready;
  const codec = new SessionCookieCodec({ passwords: cookieSecrets });
  await setIdpFault(issuer, { mode: 'ok' });
  const { cookieHeader } = await signIn(appUrl);
  const session = await openSession(codec, cookieHeader);
  if (!session) throw new Error('could not open the session cookie of the IdP-down run');
  // Past the BFF's own expiry estimate (which is early, never late), plus a margin.
  const waitMs = session.accessTokenExpiresAt - Date.now() + 250;
  if (waitMs > MAX_EXPIRY_WAIT_MS) throw new Error(`the token expires in ${waitMs} ms: lifetime too long`);
  if (waitMs > 0) await sleep(waitMs);

  const answers: { ok: boolean; reason: string }[] = [];
  const retryAfter = new Map<string, number>();
  let clearedCookie = 0;
  const judge = (reply: Reply): boolean => {
    let error: unknown;
    try {
      error = (JSON.parse(reply.body.toString('utf8')) as { error?: unknown }).error;
    } catch {
      error = undefined;
    }
    const header = reply.headers['retry-after'];
    const value = Array.isArray(header) ? header.join(',') : header;
    if (value) retryAfter.set(value, (retryAfter.get(value) ?? 0) + 1);
    const lines = reply.headers['set-cookie'] ?? [];
    if (lines.some((l) => l.startsWith('__Host-bff_session') && /;\s*max-age=0\s*(;|$)/i.test(l))) {
      clearedCookie++;
    }
    const ok = reply.status === 503 && error === 'idp_unavailable' && Boolean(value);
    answers.push({ ok, reason: `${reply.status} ${String(error)}${value ? '' : ' (no Retry-After)'}` });
    return ok;
  };

  await setIdpFault(issuer, { mode: 'down' });
  const agent = keepAliveAgent(o.concurrency);
  let result: CountedResult;
  try {
    result = await runCounted({
      url: new URL(`/api${o.path}`, appUrl),
      headers: apiHeaders(cookieHeader),
      concurrency: o.concurrency,
      requests: o.requests,
      maxMs: o.maxMs,
      agent,
      accept: judge,
    });
  } finally {
    agent.destroy();
    await setIdpFault(issuer, { mode: 'ok' });
  }

  const p50 = percentile(result.allLatenciesMs, 50);
  const p99 = percentile(result.allLatenciesMs, 99);
  const answered = result.allLatenciesMs.length;
  const wrong = new Map<string, number>();
  for (const a of answers) if (!a.ok) wrong.set(a.reason, (wrong.get(a.reason) ?? 0) + 1);
  const problems = [
    ...(answered < o.requests ? [`${answered}/${o.requests} answered within the time cap`] : []),
    ...(wrong.size > 0 ? [`wrong answers: ${statusList(wrong)}`] : []),
    ...(result.statuses.has('error') ? [`${result.statuses.get('error')} transport errors`] : []),
  ];
  return {
    title:
      `${idpDownTitle}: ${o.requests} × GET /api${o.path}, ${o.concurrency} connections, one session ` +
      `(AS access-token lifetime ${accessTokenTtlSeconds} s, waited out; BFF leeway ${refreshLeewaySeconds} s)`,
    table: {
      head: ['measure', 'value'],
      rows: [
        ['answered', `${answered}/${o.requests}`],
        ['503 idp_unavailable with Retry-After', `${result.ok}/${o.requests}`],
        [
          'latency p50 / p99 / max ms',
          `${fixed(p50, 1)} / ${fixed(p99, 1)} / ${fixed(Math.max(...result.allLatenciesMs), 1)}`,
        ],
        ['answers clearing the session cookie', clearedCookie],
      ],
    },
    notes: [
      `statuses: ${statusList(result.statuses)}; Retry-After values: ${statusList(retryAfter)}`,
      `no request started after ${o.maxMs / 1000} s; refresh budget left at the BFF default`,
    ],
    budgets: [
      {
        name: idpDownBudgetName(o.maxP99Ms),
        pass: problems.length === 0 && p99 <= o.maxP99Ms,
        detail:
          `p99 ${fixed(p99, 1)} ms (p50 ${fixed(p50, 1)} ms); ${result.ok}/${o.requests} answers right` +
          (problems.length > 0 ? `; ${problems.join('; ')}` : ''),
      },
    ],
  };
}
