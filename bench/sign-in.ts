import { Hono } from 'hono';
import type { SessionCookieCodec, SessionData } from '../bff/session/index.ts';
import { CookieJarClient, signInThroughForm } from '../platform/test-support.ts';

export interface SignedIn {
  browser: CookieJarClient;
  /** The BFF's answer to `/bff/callback`: it carries the session's Set-Cookie lines. */
  callback: Response;
  /** What a browser would send the BFF from now on. */
  cookieHeader: string;
}

/**
 * A browser signing in through the BFF: `/bff/login`, the platform's login form, `/bff/callback`.
 * (bff/test-support.ts has the same steps but wants a whole in-process TestStack.)
 */
export async function signIn(appUrl: string, username = 'operator'): Promise<SignedIn> {
  const browser = new CookieJarClient();
  const login = await browser.fetch(`${appUrl}/bff/login?returnTo=${encodeURIComponent('/')}`);
  const authorizationUrl = login.headers.get('location');
  if (login.status !== 302 || !authorizationUrl) throw new Error(`login answered ${login.status}`);
  const callbackUrl = await signInThroughForm(browser, authorizationUrl, username, username, appUrl);
  const callback = await browser.fetch(callbackUrl);
  if (callback.status !== 303 && callback.status !== 302) {
    throw new Error(`callback answered ${callback.status}: ${await callback.text()}`);
  }
  await callback.body?.cancel();
  const cookieHeader = browser.cookieHeader(new URL(appUrl));
  if (!cookieHeader.includes('__Host-bff_session=')) throw new Error('sign-in set no session cookie');
  return { browser, callback, cookieHeader };
}

/** The `Cookie` header a browser would send after these Set-Cookie lines (deletions dropped). */
export function cookieHeaderFrom(setCookieLines: readonly string[]): string {
  const jar = new Map<string, string>();
  for (const line of setCookieLines) {
    const pair = line.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '' || /;\s*max-age=0\s*(;|$)/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** Opens a session from a Cookie header exactly as the BFF reads it (chunks included). */
export async function openSession(
  codec: SessionCookieCodec,
  cookieHeader: string,
): Promise<SessionData | undefined> {
  let session: SessionData | undefined;
  await new Hono()
    .get('*', async (c) => {
      session = await codec.read(c);
      return c.body(null, 204);
    })
    .request('http://127.0.0.1/', { headers: { cookie: cookieHeader } });
  return session;
}

/** Runs `task` for 0..count-1 with at most `parallel` at a time; results in index order. */
export async function pool<T>(
  count: number,
  parallel: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return results;
}
