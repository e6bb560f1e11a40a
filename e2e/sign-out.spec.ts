import { expect, type Page, test } from '@playwright/test';
import { chromiumLaunchOptions, defaultApp } from './instances.ts';
import { authStats, bffSession, signedInBanner, signIn, watchForSignInForm } from './support.ts';

// A real user's Chromium keeps pages in the back/forward cache; Playwright turns it off by default.
// Turn it back on here, so that "Back after signing out" is tested the way users would press it.
test.use({
  launchOptions: { ...chromiumLaunchOptions, ignoreDefaultArgs: ['--disable-back-forward-cache'] },
});

/** The signed-out state: a "Sign in" button (landing, /signed-out or the platform's form) and no fleet data. */
async function expectSignedOut(page: Page, when: string) {
  const signInButton = page.getByRole('button', { name: 'Sign in', exact: true });
  await expect(
    signInButton.or(page.getByLabel('Username')).first(),
    `${when}: a Sign in button`,
  ).toBeVisible();
  await expect(page.getByTestId('device-row'), `${when}: no device rows`).toHaveCount(0);
  await expect(page.getByTestId('alert-row'), `${when}: no alert rows`).toHaveCount(0);
  await expect(
    page.getByRole('heading', { name: 'Fleet', exact: true }),
    `${when}: no Fleet heading`,
  ).toHaveCount(0);
  await expect(signedInBanner(page), `${when}: no "Signed in as" header`).toHaveCount(0);
}

test('signing out clears the cookies, kills the refresh token and leaves nothing behind the back button', async ({
  page,
  context,
}) => {
  await signIn(page, 'operator', defaultApp.appUrl);
  await expect(page.getByTestId('device-row').first()).toBeVisible();
  // Sign out from the Alerts page, so that Back has two pages with data to return to.
  await page.getByRole('link', { name: 'Alerts', exact: true }).click();
  await expect(page.getByTestId('alert-row').first()).toBeVisible();
  const sessionCookies = async () =>
    (await context.cookies(defaultApp.appUrl)).filter((cookie) =>
      cookie.name.startsWith('__Host-bff_session'),
    );
  expect(await sessionCookies(), 'the session cookie while signed in').not.toEqual([]);
  const statsBefore = await authStats(defaultApp.authUrl);
  const watch = watchForSignInForm(page, defaultApp.authUrl);

  await test.step('sign out, confirmed on the platform (RP-initiated logout)', async () => {
    await signedInBanner(page).getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL((url) => url.origin === defaultApp.authUrl);
    await page.getByRole('button', { name: 'Yes, sign me out', exact: true }).click();
    await page.waitForURL((url) => url.origin === defaultApp.appUrl);
    await expectSignedOut(page, 'after signing out');
    await expect(page.getByText('You have signed out.')).toBeVisible();
    test.info().annotations.push({ type: 'signed out at', description: page.url() });
  });

  await test.step('the session cookie is gone and the BFF knows no session', async () => {
    expect(await sessionCookies()).toEqual([]);
    const session = await bffSession(page);
    expect(session.status).toBe(401);
  });

  await test.step('the refresh token is revoked at the platform', async () => {
    await expect
      .poll(async () => (await authStats(defaultApp.authUrl)).revocations, {
        message: '/dev/stats revocations',
      })
      .toBeGreaterThan(statsBefore.revocations);
  });

  await test.step('the back button shows no fleet data, on any page before the sign-out', async () => {
    // Back through the platform's logout and sign-in pages, the signed-in fleet and the landing:
    // every page of the app on the way must show the signed-out state, never the fleet.
    const appPagesSeen: string[] = [];
    let lastNavigationAt = Date.now();
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) lastNavigationAt = Date.now();
    });
    for (let step = 0; step < 8; step += 1) {
      const navigationsBefore = watch.navigations.length;
      await page.goBack({ waitUntil: 'commit' }).catch(() => null);
      try {
        // A page restored from the back/forward cache has no response: watch the frame instead.
        await expect
          .poll(() => watch.navigations.length, { timeout: 3_000 })
          .toBeGreaterThan(navigationsBefore);
      } catch {
        break; // the start of the history
      }
      // Let redirects settle (the platform's end-session page forwards back to the app by itself).
      // No waitForLoadState: a page restored from the back/forward cache fires no load events.
      await expect.poll(() => Date.now() - lastNavigationAt, { timeout: 15_000 }).toBeGreaterThan(1_500);
      const url = page.url();
      if (!url.startsWith(`${defaultApp.appUrl}/`)) continue;
      appPagesSeen.push(url);
      await expectSignedOut(page, `after Back to ${url}`);
      // Data must not flash back either: give a restored page the time to re-check its session.
      await page.waitForTimeout(1_000);
      await expectSignedOut(page, `a second after Back to ${url}`);
    }
    expect(
      appPagesSeen.map((u) => new URL(u).pathname),
      'Back reached the Alerts page the user signed out from',
    ).toContain('/alerts');
    expect(await sessionCookies()).toEqual([]);
    test.info().annotations.push({ type: 'back-button', description: appPagesSeen.join(' ← ') });
  });

  await test.step('signing in again asks for the password: the platform session ended too', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByLabel('Password')).toBeVisible();
  });
  watch.stop();
});
