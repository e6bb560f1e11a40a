import { expect, test } from '@playwright/test';
import { SHORT_LIFETIMES, shortApp } from './instances.ts';
import {
  authStats,
  bffSession,
  drawnPixels,
  findOnlineDevice,
  recordAppResponses,
  scanBrowserStorage,
  signIn,
  tokenFindings,
  watchForSignInForm,
} from './support.ts';

// Runs on the short-lifetimes instance: 20 s access tokens, refresh tokens idle ≤ 60 s and living
// ≤ 180 s. A dashboard left open for 240 s lives through a dozen refreshes and the session's absolute
// end, and must never show the sign-in form.
const OPEN_FOR_MS = 240_000;

test('a dashboard left open past the absolute session lifetime never shows the sign-in form', {
  tag: '@long',
}, async ({ page }) => {
  expect(OPEN_FOR_MS).toBeGreaterThan(SHORT_LIFETIMES.refreshAbsolute * 1000);
  test.setTimeout(OPEN_FOR_MS + 120_000);

  await signIn(page, 'operator', shortApp.appUrl);
  const device = await findOnlineDevice(page);
  const route = `/devices/${device.id}?range=6h`;
  await page.goto(route);
  await expect(page.getByRole('heading', { name: device.name, exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: '6 h', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );

  const first = await bffSession(page);
  expect(first.status).toBe(200);
  const statsBefore = await authStats(shortApp.authUrl);
  const openedAt = Date.now();
  const watch = watchForSignInForm(page, shortApp.authUrl);
  const recorder = recordAppResponses(page, shortApp.appUrl);
  const problems: string[] = [];

  await test.step(`keep the device page open for ${OPEN_FOR_MS / 1000} s`, async () => {
    // Poll the page every few seconds until the time is up; note anything a user would notice.
    await expect
      .poll(
        async () => {
          const elapsed = Math.round((Date.now() - openedAt) / 1000);
          try {
            if (await page.getByLabel('Username').isVisible())
              problems.push(`${elapsed} s: the sign-in form`);
            if (await page.getByTestId('banner-session-ended').isVisible())
              problems.push(`${elapsed} s: the session-ended banner`);
            if (await page.getByText('You have signed out.').isVisible())
              problems.push(`${elapsed} s: signed out`);
          } catch {
            // The page was navigating (the silent re-authentication): look again at the next poll.
          }
          return Date.now() - openedAt;
        },
        { timeout: OPEN_FOR_MS + 30_000, intervals: [5_000] },
      )
      .toBeGreaterThanOrEqual(OPEN_FOR_MS);
  });

  await test.step('the user never saw the sign-in form and is back on the same route', async () => {
    expect(problems).toEqual([]);
    expect(watch.signInFormNavigations, 'navigations to the sign-in form').toEqual([]);
    const url = new URL(page.url());
    expect(`${url.origin}${url.pathname}`).toBe(`${shortApp.appUrl}/devices/${device.id}`);
    expect(url.searchParams.get('range')).toBe('6h');
    await expect(page.getByRole('heading', { name: device.name, exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: '6 h', exact: true })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await expect(page.getByTestId('banner-session-ended')).toHaveCount(0);
    await expect.poll(() => drawnPixels(page, 'Temperature')).toBeGreaterThan(2_000);
  });

  await test.step('the session was renewed silently past its absolute end', async () => {
    // The first session ended at 180 s; a new one started without the user.
    const now = await bffSession(page);
    expect(now.status).toBe(200);
    expect(Date.parse(now.body.session.startedAt ?? '')).toBeGreaterThan(
      Date.parse(first.body.session.startedAt ?? ''),
    );
    const silent = watch.navigationRequests.filter((request) => {
      const url = new URL(request.url);
      return url.pathname === '/bff/login' && url.searchParams.get('prompt') === 'none';
    });
    expect(silent.length, 'silent re-authentications (/bff/login?prompt=none)').toBeGreaterThanOrEqual(1);
  });

  await test.step('the dashboard kept polling, and the data kept coming', async () => {
    const bodies = await recorder.settled();
    const apiOk = bodies.filter((b) => new URL(b.url).pathname.startsWith('/api/') && b.status === 200);
    expect(apiOk.length).toBeGreaterThan(10);
    const lastHalfMinute = apiOk.filter((b) => b.at > Date.now() - 30_000);
    expect(lastHalfMinute.length, '/api answers in the last 30 s').toBeGreaterThan(0);
    const findings = bodies.flatMap((b) => tokenFindings(`${b.status} ${b.url}`, b.text));
    expect(findings, 'tokens in answers').toEqual([]);
    const storage = await scanBrowserStorage(page);
    expect(storage.findings).toEqual([]);
    expect(storage.documentCookie).toBe('');
  });

  await test.step('the platform saw refreshes and no refresh-token reuse', async () => {
    const stats = await authStats(shortApp.authUrl);
    const refreshes =
      (stats.tokenRequests.refresh_token ?? 0) - (statsBefore.tokenRequests.refresh_token ?? 0);
    expect(refreshes, 'refresh_token grants during the test').toBeGreaterThanOrEqual(1);
    expect(stats.refreshTokenReuse - statsBefore.refreshTokenReuse, 'refresh-token reuse').toBe(0);
    test.info().annotations.push({
      type: 'platform',
      description: `${refreshes} refresh_token grants, ${
        (stats.tokenRequests.authorization_code ?? 0) - (statsBefore.tokenRequests.authorization_code ?? 0)
      } authorization_code grants (silent re-authentication) in ${OPEN_FOR_MS / 1000} s`,
    });
  });
  watch.stop();
  recorder.stop();
});
