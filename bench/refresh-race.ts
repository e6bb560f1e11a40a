import { setTimeout as sleep } from 'node:timers/promises';
import { SessionCookieCodec } from '../bff/session/index.ts';
import { get, keepAliveAgent, percentile, type Reply } from './load.ts';
import { platformStats, resetPlatformStats } from './platform-stats.ts';
import { fixed, type JobReport } from './report.ts';
import type { ServerProcess } from './server-process.ts';
import { cookieHeaderFrom, openSession, signIn } from './sign-in.ts';

const MAX_WAIT_MS = 70_000;

/**
 * `requests` requests with one session cookie, all sent at once after its access token expired: the
 * BFF must redeem the refresh token exactly once and hand every request the same new session.
 * The servers run with a short access-token lifetime (see run.ts), so the wait is a few seconds.
 */
export async function refreshRace(
  servers: ServerProcess,
  o: { requests: number; path: string },
): Promise<JobReport> {
  const { appUrl, cookieSecrets, issuer, refreshLeewaySeconds, accessTokenTtlSeconds } = servers.ready;
  const codec = new SessionCookieCodec({ passwords: cookieSecrets });
  const { cookieHeader } = await signIn(appUrl);
  const before = await openSession(codec, cookieHeader);
  if (!before?.refreshToken) throw new Error('the race session has no refresh token');
  await resetPlatformStats(issuer);

  // Past the point where the BFF refreshes (with leeway 0: the token's expiry itself), plus a margin.
  const dueInMs = before.accessTokenExpiresAt - refreshLeewaySeconds * 1000 - Date.now() + 250;
  if (dueInMs > MAX_WAIT_MS) throw new Error(`the race token is due in ${dueInMs} ms: lifetime too long`);
  if (dueInMs > 0) await sleep(dueInMs);

  const agent = keepAliveAgent(o.requests);
  const url = new URL(`/api${o.path}`, appUrl);
  const headers = { accept: 'application/json', cookie: cookieHeader, 'x-csrf': '1' };
  // All requests are issued in one synchronous loop: they reach the BFF as close together as sockets allow.
  const settled = await Promise.allSettled(
    Array.from({ length: o.requests }, () => get(agent, url, headers)),
  );
  agent.destroy();
  const replies = settled.filter((s): s is PromiseFulfilledResult<Reply> => s.status === 'fulfilled');
  const ok = replies.filter((r) => r.value.status === 200).length;
  const statuses = new Map<string, number>();
  for (const s of settled) {
    const key = s.status === 'fulfilled' ? String(s.value.status) : 'error';
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
  }

  // Every seal differs (random IV), so sessions are compared by what they hold.
  const sessions = new Set<string>();
  let withCookie = 0;
  let unreadable = 0;
  for (const { value } of replies) {
    const lines = value.headers['set-cookie'] ?? [];
    if (!lines.some((line) => line.startsWith('__Host-bff_session='))) continue;
    withCookie++;
    const opened = await openSession(codec, cookieHeaderFrom(lines));
    if (!opened) unreadable++;
    else sessions.add(JSON.stringify([opened.refreshCount, opened.accessToken, opened.refreshToken]));
  }

  const stats = await platformStats(issuer);
  const grants = stats.tokenRequests.refresh_token ?? 0;
  const grantErrors = stats.tokenErrors.refresh_token ?? 0;
  const bffRefreshes = (await servers.stats()).audit.refresh ?? 0;
  const latencies = replies.map((r) => r.value.ms);
  const pass =
    grants === 1 &&
    ok === o.requests &&
    stats.refreshTokenReuse === 0 &&
    sessions.size === 1 &&
    unreadable === 0 &&
    grantErrors === 0;

  return {
    title:
      `2. refresh race: ${o.requests} concurrent GET /api${o.path} with one cookie, sent after the access ` +
      `token expired (AS access-token lifetime ${accessTokenTtlSeconds} s, ` +
      `BFF leeway ${refreshLeewaySeconds} s)`,
    table: {
      head: ['measure', 'value'],
      rows: [
        ['answers 200', `${ok}/${o.requests}`],
        ['refresh_token grants at the AS', grants],
        ['refresh_token grant errors', grantErrors],
        ['refreshTokenReuse', stats.refreshTokenReuse],
        ["BFF 'refresh' audit events", bffRefreshes],
        ['responses setting the cookie', `${withCookie}/${replies.length}`],
        ['distinct sessions in those cookies', sessions.size],
        [
          'latency p50 / max ms',
          `${fixed(percentile(latencies, 50), 1)} / ${fixed(Math.max(...latencies), 1)}`,
        ],
      ],
    },
    notes: [
      `statuses: ${[...statuses].map(([status, n]) => `${status}×${n}`).join(', ')}`,
      'sessions compared by (refreshCount, accessToken, refreshToken) ' +
        "after unsealing each response's cookie" +
        (unreadable > 0 ? `; ${unreadable} cookies did not open` : ''),
    ],
    budgets: [
      {
        name: 'token-endpoint calls when 200 requests race across an expiry',
        pass,
        detail:
          `${grants} refresh_token grant(s) (budget exactly 1); ${ok}/${o.requests} answered 200; ` +
          `refreshTokenReuse ${stats.refreshTokenReuse}; distinct new sessions ${sessions.size}`,
      },
    ],
  };
}
