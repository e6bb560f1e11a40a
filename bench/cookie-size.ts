import { isDeepStrictEqual } from 'node:util';
import { Hono } from 'hono';
import {
  MAX_COOKIE_BYTES,
  SessionCookieCodec,
  type SessionData,
  sessionCookieProblems,
} from '../bff/session/index.ts';
import { fakeJwt } from '../bff/session/test-support.ts';
import type { JobReport } from './report.ts';
import type { ServerProcess } from './server-process.ts';
import { cookieHeaderFrom, openSession, signIn } from './sign-in.ts';

const SESSION_COOKIE = /^__Host-bff_session(\.\d+)?=/;
const bytes = (line: string) => Buffer.byteLength(line, 'utf8');

/** The session's Set-Cookie lines that set (not delete) a chunk. */
const sessionLines = (lines: readonly string[]) =>
  lines.filter((line) => SESSION_COOKIE.test(line) && !/;\s*max-age=0\s*(;|$)/i.test(line));

/**
 * The session cookie a real sign-in sets with the platform's tokens, and a session whose access token
 * is 6 KB written and read back through `SessionCookieCodec` on a tiny Hono app.
 */
export async function cookieSize(
  servers: ServerProcess,
  o: { maxBytes: number; bigTokenBytes: number },
): Promise<JobReport> {
  const { appUrl, cookieSecrets } = servers.ready;
  const { callback, cookieHeader } = await signIn(appUrl);
  const real = sessionLines(callback.headers.getSetCookie());
  const realBytes = real.reduce((sum, line) => sum + bytes(line), 0);
  const realProblems = real.flatMap(sessionCookieProblems);
  const session = await openSession(new SessionCookieCodec({ passwords: cookieSecrets }), cookieHeader);
  if (!session) throw new Error('the real session cookie does not open');

  // The real session with only its access token swapped for a 6 KB one: the rest stays realistic.
  const big: SessionData = { ...session, accessToken: fakeJwt(o.bigTokenBytes) };
  // Separate codecs without cache, so the read really unseals what the write produced.
  const writer = new SessionCookieCodec({ passwords: cookieSecrets, unsealCache: 0 });
  const reader = new SessionCookieCodec({ passwords: cookieSecrets, unsealCache: 0 });
  const app = new Hono()
    .get('/write', async (c) => {
      await writer.write(c, big);
      return c.body(null, 204);
    })
    .get('/read', async (c) => c.json({ session: (await reader.read(c)) ?? null }));
  const written = sessionLines((await app.request('http://127.0.0.1/write')).headers.getSetCookie());
  const readBack = (await (
    await app.request('http://127.0.0.1/read', { headers: { cookie: cookieHeaderFrom(written) } })
  ).json()) as { session: SessionData | null };
  const roundTrips = isDeepStrictEqual(readBack.session, big);
  const largest = Math.max(...written.map(bytes));
  const bigProblems = written.flatMap(sessionCookieProblems);
  // Cross-check with the helper the tests use, so both reads agree.
  const viaHelper = await openSession(reader, cookieHeaderFrom(written));

  return {
    title: '5. session cookie size',
    table: {
      head: ['session', 'access token B', 'cookies', 'Set-Cookie B total', 'largest line B', 'round-trips'],
      rows: [
        [
          'platform tokens (real sign-in)',
          session.accessToken.length,
          real.length,
          realBytes,
          Math.max(...real.map(bytes)),
          'yes',
        ],
        [
          `${o.bigTokenBytes / 1024} KB access token`,
          big.accessToken.length,
          written.length,
          written.reduce((sum, line) => sum + bytes(line), 0),
          largest,
          roundTrips && isDeepStrictEqual(viaHelper, big) ? 'yes' : 'NO',
        ],
      ],
    },
    notes: [
      `refresh token ${session.refreshToken?.length ?? 0} B, scope ${session.scope?.length ?? 0} B; ` +
        'the ID token is not kept',
      `Set-Cookie attribute problems: real ${realProblems.length ? realProblems.join('; ') : 'none'}, ` +
        `6 KB ${bigProblems.length ? bigProblems.join('; ') : 'none'}`,
    ],
    budgets: [
      {
        name: "session cookie for the platform's tokens",
        pass: realBytes <= o.maxBytes && real.length > 0 && realProblems.length === 0,
        detail: `${realBytes} B in ${real.length} cookie(s) (budget ≤ ${o.maxBytes} B)`,
      },
      {
        name: `tokens up to ${o.bigTokenBytes / 1024} KB still work (chunking)`,
        pass: roundTrips && largest <= MAX_COOKIE_BYTES && bigProblems.length === 0,
        detail:
          `${roundTrips ? 'round-trips' : 'does NOT round-trip'} in ${written.length} cookies, ` +
          `largest Set-Cookie line ${largest} B (budget ≤ ${MAX_COOKIE_BYTES} B)`,
      },
    ],
  };
}
