import { expect, type Page, type Response } from '@playwright/test';

// Helpers shared by the end-to-end tests. Selectors follow the UI contract in web/README.md and the
// platform's login page (README: "Username", "Password", "Sign in").

export type DemoUser = 'operator' | 'viewer';

export const DISPLAY_NAMES: Record<DemoUser, string> = {
  operator: 'Olivia Operator',
  viewer: 'Victor Viewer',
};

/**
 * Signs in through the platform's login page, as a user would: the signed-out landing's "Sign in"
 * button, the authorization server's form, and back to the app. Ends on `/` (the fleet), signed in.
 */
export async function signIn(page: Page, user: DemoUser, appUrl: string): Promise<void> {
  await expectAppAnswering(appUrl);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'IoT Fleet Monitor' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // The authorization server's own page, on its own origin.
  await expect(page.getByLabel('Username')).toBeVisible();
  expect(new URL(page.url()).origin).not.toBe(appUrl);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(user);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.origin === appUrl);
  await expect(signedInBanner(page)).toContainText(`Signed in as ${DISPLAY_NAMES[user]}`);
}

/** Fails with a clear message when the app's server process is gone (rather than a bare ECONNREFUSED). */
export async function expectAppAnswering(appUrl: string): Promise<void> {
  const answer = await fetch(`${appUrl}/`).then(
    (response) => `${response.status}`,
    (error: unknown) => String(error instanceof Error && error.cause ? error.cause : error),
  );
  expect(
    answer,
    `the app at ${appUrl} does not answer: its server process died earlier (its stderr is in the output above)`,
  ).toBe('200');
}

/** The header of a signed-in page: `role="banner"` with "Signed in as <name>". */
export function signedInBanner(page: Page) {
  return page.getByRole('banner').filter({ hasText: 'Signed in as' });
}

/** Calls the app's own API from inside the page (same origin, with the CSRF header, like the SPA). */
export async function pageFetch(
  page: Page,
  path: string,
  init: { method?: string; body?: string } = {},
): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ path, init }) => {
      const headers: Record<string, string> = { 'X-CSRF': '1' };
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body };
    },
    { path, init },
  );
}

export interface DeviceSummary {
  id: string;
  name: string;
  status: 'online' | 'degraded' | 'offline';
}

/** An online device (commands need one), looked up through the app's `/api` proxy. */
export async function findOnlineDevice(page: Page): Promise<DeviceSummary> {
  const { status, body } = await pageFetch(page, '/api/devices?status=online&sort=id&limit=20');
  expect(status, 'GET /api/devices?status=online').toBe(200);
  const items = (body as { items: DeviceSummary[] }).items;
  const device = items[0];
  if (!device) throw new Error('the simulated fleet has no online device');
  return device;
}

export interface SessionInfo {
  authenticated?: boolean;
  user: { sub: string; name: string; roles: string[] };
  accessTokenExpiresAt: string | null;
  session: {
    startedAt: string | null;
    expiresAt: string | null;
    lastRefreshAt: string | null;
    refreshCount: number;
  };
}

export async function bffSession(page: Page): Promise<{ status: number; body: SessionInfo }> {
  const { status, body } = await pageFetch(page, '/bff/session');
  return { status, body: body as SessionInfo };
}

// --- The platform's development endpoints (authorization server) ---------------------------------

import type { AuthServerStats } from '../platform/auth/stats.ts';

// The counters' shape is the platform's own (a type-only import: nothing of the platform runs here).
export type { AuthServerStats } from '../platform/auth/stats.ts';

export async function authStats(authUrl: string): Promise<AuthServerStats> {
  const response = await fetch(`${authUrl}/dev/stats`);
  expect(response.status, `GET ${authUrl}/dev/stats`).toBe(200);
  return (await response.json()) as AuthServerStats;
}

/**
 * The authorization server's fault switch: `down` answers 503 at the token endpoint; `invalid_client`
 * refuses the token requests of one grant type with 401 invalid_client (`client_credentials`: the
 * service account's, as if its secret had been rotated away); `ok` ends either.
 */
export async function setAuthFault(
  authUrl: string,
  mode: 'ok' | 'down' | 'invalid_client',
  grant?: 'client_credentials' | 'refresh_token' | 'authorization_code',
): Promise<void> {
  const response = await fetch(`${authUrl}/dev/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(grant ? { mode, grant } : { mode }),
  });
  expect(response.status, `POST ${authUrl}/dev/faults ${mode}${grant ? ` ${grant}` : ''}`).toBe(200);
}

// --- Charts ---------------------------------------------------------------------------------------

/** Pixels that are not fully transparent in a figure's uPlot canvas (0 when there is no canvas). */
export async function drawnPixels(page: Page, caption: string): Promise<number> {
  const canvas = page
    .locator('figure')
    .filter({ has: page.locator('figcaption', { hasText: caption }) })
    .locator('canvas');
  if ((await canvas.count()) === 0) return 0;
  return canvas.first().evaluate((node) => {
    const c = node as HTMLCanvasElement;
    if (c.width === 0 || c.height === 0) return 0;
    const context = c.getContext('2d');
    if (!context) return 0;
    const { data } = context.getImageData(0, 0, c.width, c.height);
    let count = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) count += 1;
    return count;
  });
}

// --- Token leaks ----------------------------------------------------------------------------------

/** A JWT (header.payload.signature), as the platform's access and ID tokens are. */
export const JWT_PATTERN = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;
/** A 43-character opaque value (the platform's refresh tokens) next to a key with "token" in its name. */
export const OPAQUE_TOKEN_PATTERN = /[\w-]*token[\w-]*["']?\s*[:=]\s*["']?[\w-]{43}(?![\w-])/i;
/** An OAuth token response's keys. */
export const TOKEN_KEY_PATTERN = /["']?(access_token|refresh_token|id_token)["']?\s*[:=]/i;

export function tokenFindings(where: string, text: string): string[] {
  const findings: string[] = [];
  for (const [what, pattern] of [
    ['a JWT', JWT_PATTERN],
    ['an opaque token next to a "token" key', OPAQUE_TOKEN_PATTERN],
    ['an OAuth token key', TOKEN_KEY_PATTERN],
  ] as const) {
    const match = pattern.exec(text);
    if (match) findings.push(`${where}: ${what}: ${match[0].slice(0, 60)}…`);
  }
  return findings;
}

export interface RecordedBody {
  url: string;
  status: number;
  /** The whole body; for an event stream, the bytes received so far (`partial`). */
  text: string;
  /** When the response (its headers) arrived, ms since the epoch. */
  at: number;
  /** An event stream (`text/event-stream`): `text` is what arrived until `settled()` was called. */
  partial?: true;
}

const isEventStream = (response: Response) =>
  (response.headers()['content-type'] ?? '').toLowerCase().startsWith('text/event-stream');

/**
 * Records the text of every response the page receives from the app's `/bff/*` and `/api/*`.
 *
 * An event stream (the SPA's `GET /bff/events`, `text/event-stream`) never ends while the page is
 * open, so Playwright's `response.text()` would wait for it forever. Its body is not awaited; its
 * frames are read as they arrive through Chromium's DevTools protocol instead
 * (`Network.streamResourceContent`: the bytes buffered so far, then every `Network.dataReceived`),
 * and `settled()` returns each stream's text up to that moment (`partial: true`). So a token in any
 * frame that reached the browser before `settled()` is found; frames that come later are not
 * checked, and neither is a stream whose first bytes arrived before this recorder was attached.
 */
export function recordAppResponses(page: Page, appUrl: string) {
  const bodies: RecordedBody[] = [];
  const pending: Promise<void>[] = [];
  const onResponse = (response: Response) => {
    const url = new URL(response.url());
    if (url.origin !== appUrl || !/^\/(bff|api)\//.test(url.pathname)) return;
    const at = Date.now();
    // Never awaited: an event stream's body does not end (readEventStreams reads its frames).
    if (isEventStream(response)) return;
    pending.push(
      response
        .text()
        .then((text) => {
          bodies.push({ url: response.url(), status: response.status(), text, at });
        })
        .catch(() => {
          // Redirects (the /bff/login and /bff/callback 30x) and bodies of replaced pages have no text.
          bodies.push({ url: response.url(), status: response.status(), text: '', at });
        }),
    );
  };
  page.on('response', onResponse);
  const streams = readEventStreams(page, appUrl);
  return {
    bodies,
    /**
     * Waits for every body still being read, then returns all of them, with each event stream's
     * frames received so far (never waiting for a stream to end).
     */
    async settled(): Promise<RecordedBody[]> {
      await Promise.all(pending);
      return [...bodies, ...(await streams.soFar())];
    },
    stop() {
      page.off('response', onResponse);
      streams.stop();
    },
  };
}

/** The app's `text/event-stream` responses on `page`, read frame by frame as Chromium receives them. */
function readEventStreams(page: Page, appUrl: string) {
  type Stream = { url: string; status: number; at: number; buffered: Buffer[]; received: Buffer[] };
  const streams = new Map<string, Stream>();
  const session = page
    .context()
    .newCDPSession(page)
    .then(async (cdp) => {
      cdp.on('Network.responseReceived', (event) => {
        const { requestId, response } = event;
        if (!response.mimeType.toLowerCase().startsWith('text/event-stream')) return;
        const url = new URL(response.url);
        if (url.origin !== appUrl || !/^\/(bff|api)\//.test(url.pathname)) return;
        const stream: Stream = {
          url: response.url,
          status: response.status,
          at: Date.now(),
          buffered: [],
          received: [],
        };
        streams.set(requestId, stream);
        // From now on every Network.dataReceived for it carries its bytes; what came before is here.
        cdp
          .send('Network.streamResourceContent', { requestId })
          .then(({ bufferedData }) => {
            stream.buffered.push(Buffer.from(bufferedData, 'base64'));
          })
          .catch(() => {
            // The stream ended (or the page went away) before streaming could start: nothing buffered.
          });
      });
      cdp.on('Network.dataReceived', (event) => {
        const stream = streams.get(event.requestId);
        if (stream && event.data) stream.received.push(Buffer.from(event.data, 'base64'));
      });
      await cdp.send('Network.enable');
      return cdp;
    })
    .catch(() => undefined); // the page closed first: no stream was read
  return {
    async soFar(): Promise<RecordedBody[]> {
      await session;
      return [...streams.values()].map((stream) => ({
        url: stream.url,
        status: stream.status,
        text: Buffer.concat([...stream.buffered, ...stream.received]).toString('utf8'),
        at: stream.at,
        partial: true as const,
      }));
    },
    stop() {
      void session.then((cdp) => cdp?.detach()).catch(() => undefined);
    },
  };
}

/** Scans the page's storage and `document.cookie`; returns what looks like a token, and the cookie string. */
export async function scanBrowserStorage(
  page: Page,
): Promise<{ findings: string[]; documentCookie: string }> {
  const dump = await page.evaluate(() => {
    const entries = (storage: Storage) =>
      Array.from({ length: storage.length }, (_, i) => {
        const key = storage.key(i) ?? '';
        return `${key}=${storage.getItem(key) ?? ''}`;
      });
    return {
      localStorage: entries(window.localStorage),
      sessionStorage: entries(window.sessionStorage),
      documentCookie: document.cookie,
    };
  });
  const findings = [
    ...dump.localStorage.flatMap((entry) => tokenFindings('localStorage', entry)),
    ...dump.sessionStorage.flatMap((entry) => tokenFindings('sessionStorage', entry)),
    ...tokenFindings('document.cookie', dump.documentCookie),
  ];
  return { findings, documentCookie: dump.documentCookie };
}

/**
 * Watches the page for any sign that the user was sent to the sign-in form: a navigation to the
 * authorization server's interaction pages (where its login form lives).
 */
export function watchForSignInForm(page: Page, authUrl: string) {
  const seen: string[] = [];
  const appNavigations: string[] = [];
  const navigationRequests: { url: string; at: number }[] = [];
  const onRequest = (request: import('@playwright/test').Request) => {
    if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
    navigationRequests.push({ url: request.url(), at: Date.now() });
    const url = new URL(request.url());
    if (url.origin === authUrl && url.pathname.startsWith('/interaction/')) seen.push(request.url());
  };
  const onNavigated = (frame: import('@playwright/test').Frame) => {
    if (frame === page.mainFrame()) appNavigations.push(frame.url());
  };
  page.on('request', onRequest);
  page.on('framenavigated', onNavigated);
  return {
    /** Navigations to the sign-in form (interaction pages) so far. */
    signInFormNavigations: seen,
    /** Every URL the main frame committed to, in order. */
    navigations: appNavigations,
    /** Every navigation request of the main frame (redirect hops included), in order. */
    navigationRequests,
    stop() {
      page.off('request', onRequest);
      page.off('framenavigated', onNavigated);
    },
  };
}
