import { setTimeout as sleep } from 'node:timers/promises';
import { SessionCookieCodec } from '../bff/session/index.ts';
import { get, keepAliveAgent, percentile, type Reply } from './load.ts';
import { discovery, platformStats, resetPlatformStats } from './platform-stats.ts';
import { fixed, type JobReport } from './report.ts';
import type { ServerProcess } from './server-process.ts';
import { cookieHeaderFrom, openSession, signIn } from './sign-in.ts';

const MAX_WAIT_MS = 70_000;

/**
 * The platform's `AUTH_PROFILE` the race runs against, the BFF left at its defaults. `strict`: refresh
 * tokens rotated, a revocation endpoint, client_secret_basic. `lenient`: refresh tokens not rotated,
 * no revocation endpoint, client_secret_post only.
 */
export type PlatformProfile = 'strict' | 'lenient';

export const raceBudgetName = (profile: PlatformProfile) =>
  `token-endpoint calls when 200 requests race across an expiry (platform profile ${profile})`;
export const raceTitle = (profile: PlatformProfile, requests: number, path: string) =>
  `2${profile === 'strict' ? 'a' : 'b'}. refresh race, platform profile ${profile}: ${requests} ` +
  `concurrent GET /api${path} with one cookie, sent after the access token expired`;

/** What the discovery document says about the profile-dependent features. */
async function advertised(issuer: string) {
  const metadata = await discovery(issuer);
  const methods = metadata.token_endpoint_auth_methods_supported;
  return {
    revocation: typeof metadata.revocation_endpoint === 'string',
    authMethods: Array.isArray(methods) ? methods.map(String) : [],
  };
}

/**
 * `requests` requests with one session cookie, all sent at once after its access token expired: the
 * BFF must redeem the refresh token exactly once and hand every request the same new session.
 * The servers run with a short access-token lifetime (see run.ts), so the wait is a few seconds.
 * With `profile: 'lenient'` the run also checks that the platform really runs that profile (no
 * revocation endpoint, no client_secret_basic, refresh token not rotated): a platform that ignores
 * `AUTH_PROFILE` would otherwise repeat the strict run under another name.
 */
export async function refreshRace(
  servers: ServerProcess,
  o: { requests: number; path: string; profile: PlatformProfile },
): Promise<JobReport> {
  const { appUrl, cookieSecrets, issuer, refreshLeewaySeconds, accessTokenTtlSeconds } = servers.ready;
  const codec = new SessionCookieCodec({ passwords: cookieSecrets });
  const features = await advertised(issuer);
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
  const newRefreshTokens = new Set([...sessions].map((s) => (JSON.parse(s) as string[])[2]));
  const rotated =
    newRefreshTokens.size === 0
      ? 'n/a (no new session)'
      : newRefreshTokens.has(before.refreshToken)
        ? 'no'
        : 'yes';
  const profileProblems =
    o.profile === 'lenient'
      ? [
          ...(features.revocation ? ['advertises a revocation endpoint'] : []),
          ...(features.authMethods.includes('client_secret_basic') ? ['accepts client_secret_basic'] : []),
          ...(rotated === 'yes' ? ['rotated the refresh token'] : []),
        ]
      : [];
  const pass =
    profileProblems.length === 0 &&
    grants === 1 &&
    ok === o.requests &&
    stats.refreshTokenReuse === 0 &&
    sessions.size === 1 &&
    unreadable === 0 &&
    grantErrors === 0;

  return {
    title:
      `${raceTitle(o.profile, o.requests, o.path)} (AS access-token lifetime ${accessTokenTtlSeconds} s, ` +
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
        ['refresh token rotated', rotated],
        [
          'latency p50 / max ms',
          `${fixed(percentile(latencies, 50), 1)} / ${fixed(Math.max(...latencies), 1)}`,
        ],
      ],
    },
    notes: [
      `statuses: ${[...statuses].map(([status, n]) => `${status}×${n}`).join(', ')}`,
      `the AS advertises: revocation endpoint ${features.revocation ? 'yes' : 'no'}; ` +
        `token endpoint auth methods ${features.authMethods.join(', ') || 'none listed'}`,
      'sessions compared by (refreshCount, accessToken, refreshToken) ' +
        "after unsealing each response's cookie" +
        (unreadable > 0 ? `; ${unreadable} cookies did not open` : ''),
    ],
    budgets: [
      {
        name: raceBudgetName(o.profile),
        pass,
        detail:
          `${grants} refresh_token grant(s) (budget exactly 1); ${ok}/${o.requests} answered 200; ` +
          `refreshTokenReuse ${stats.refreshTokenReuse}; distinct new sessions ${sessions.size}` +
          (profileProblems.length > 0
            ? `; invalid run: the platform ignored AUTH_PROFILE=lenient (${profileProblems.join(', ')})`
            : ''),
      },
    ],
  };
}
