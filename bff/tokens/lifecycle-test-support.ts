// Helpers of the lifecycle's integration tests (simulated time, a signed-in browser, outcomes).
import { afterEach, vi } from 'vitest';
import {
  CookieJarClient,
  csrfHeaders,
  signInThroughBff,
  startTestStack,
  type TestStack,
} from '../test-support.ts';

// Simulated time: Date is mocked (vi.setSystemTime, no fake timers), and the platform and the BFF run
// in this process on real sockets, so every token lifetime below is enforced by the real servers.
// No assertion here reads the wall clock: "did not wait" is shown by what had not happened yet.
export const T0 = Date.parse('2026-03-02T06:00:00Z');
export const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);

let stack: TestStack | undefined;
/** Call once at the top of a test file: every test's stack is disposed after it. */
export function disposeStacksAfterEach(): void {
  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    await stack?.dispose();
    stack = undefined;
  });
}

export async function signedIn(options: Parameters<typeof startTestStack>[0] = {}) {
  stack = await startTestStack(options);
  const browser = new CookieJarClient();
  at(0);
  await signInThroughBff(stack, browser, 'operator');
  await fetch(`${stack.platform.issuer}/dev/stats`, { method: 'DELETE' });
  return { stack, browser };
}

export const dashboardRequest = (s: TestStack, browser: CookieJarClient, path = '/api/devices?limit=1') =>
  browser.fetch(`${s.appUrl}${path}`, { headers: csrfHeaders });

export async function outcome(response: Response): Promise<string> {
  if (response.ok) {
    await response.body?.cancel();
    return String(response.status);
  }
  const body = await response.json().catch(() => ({}));
  return `${response.status} ${body.error ?? ''}`.trim();
}

export const sessionCookieSet = (response: Response) =>
  response.headers
    .getSetCookie()
    .some((line) => line.startsWith('__Host-bff_session=') && !/Max-Age=0/.test(line));

export const platformStats = (s: TestStack) => s.platform.stats.current;
export const refreshGrants = (s: TestStack) => platformStats(s).tokenRequests.refresh_token ?? 0;
export const refreshErrors = (s: TestStack) => platformStats(s).tokenErrors.refresh_token ?? 0;
export const auditOf = (s: TestStack, event: string) => s.audit.filter((line) => line.event === event);
