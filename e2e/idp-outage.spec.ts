import { expect, test } from '@playwright/test';
import { SHORT_LIFETIMES, shortApp } from './instances.ts';
import {
  bffSession,
  recordAppResponses,
  setAuthFault,
  signedInBanner,
  signIn,
  watchForSignInForm,
} from './support.ts';

// Runs on the short-lifetimes instance (20 s access tokens): the identity provider's token endpoint
// goes down for a minute while the Alerts page is open.
const OUTAGE_MS = 60_000;

test.afterEach(async () => {
  await setAuthFault(shortApp.authUrl, 'ok');
});

test('the identity provider down for a minute: no sign-out, a banner, and recovery by itself', {
  tag: '@long',
}, async ({ page }) => {
  test.setTimeout(OUTAGE_MS + 150_000);
  await signIn(page, 'operator', shortApp.appUrl);
  await page.getByRole('link', { name: 'Alerts', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Alerts', exact: true })).toBeVisible();
  await expect(page.getByTestId('alert-row').first()).toBeVisible();
  const route = new URL(page.url());
  const watch = watchForSignInForm(page, shortApp.authUrl);
  const recorder = recordAppResponses(page, shortApp.appUrl);

  await setAuthFault(shortApp.authUrl, 'down');
  const downAt = Date.now();

  await test.step('once the access token expired, the banner says so and the data stays', async () => {
    const banner = page.getByTestId('banner-idp');
    await expect(banner).toBeVisible({ timeout: (SHORT_LIFETIMES.accessToken + 40) * 1000 });
    await expect(banner).toContainText('Sign-in service unavailable');
    await expect(signedInBanner(page)).toBeVisible();
    await expect(page.getByTestId('alert-row').first()).toBeVisible();
    await expect(page.getByLabel('Username')).toHaveCount(0);
    test.info().annotations.push({ type: 'banner-idp after', description: `${Date.now() - downAt} ms` });
  });

  await test.step('through the rest of the minute: still signed in, still on the page', async () => {
    await expect
      .poll(
        async () => {
          await expect(signedInBanner(page)).toBeVisible();
          await expect(page.getByTestId('banner-session-ended')).toHaveCount(0);
          return Date.now() - downAt;
        },
        { timeout: OUTAGE_MS + 20_000, intervals: [5_000] },
      )
      .toBeGreaterThanOrEqual(OUTAGE_MS);
    expect(new URL(page.url()).pathname).toBe(route.pathname);
  });

  await setAuthFault(shortApp.authUrl, 'ok');
  const upAt = Date.now();

  await test.step('after the outage it recovers by itself', async () => {
    await expect(page.getByTestId('banner-idp')).toBeHidden({ timeout: 60_000 });
    await expect(signedInBanner(page)).toBeVisible();
    await expect(page.getByTestId('alert-row').first()).toBeVisible();
    await expect
      .poll(
        async () =>
          (await recorder.settled()).filter(
            (b) => b.at > upAt && new URL(b.url).pathname.startsWith('/api/') && b.status === 200,
          ).length,
        { message: '/api answers with data after the outage', timeout: 60_000 },
      )
      .toBeGreaterThan(0);
    expect((await bffSession(page)).status).toBe(200);
    expect(new URL(page.url()).pathname).toBe(route.pathname);
    expect(watch.signInFormNavigations, 'navigations to the sign-in form').toEqual([]);
    await expect(page.getByTestId('banner-session-ended')).toHaveCount(0);
    // A one-minute outage outlives the 60 s refresh-token idle timeout of this instance, so the BFF
    // may have to end the session after all; the SPA then re-authenticates silently (never the form).
    const silent = watch.navigationRequests.filter(
      (request) => new URL(request.url).pathname === '/bff/login',
    );
    test.info().annotations.push({
      type: 'recovery',
      description: `${Date.now() - upAt} ms after the outage ended; silent re-authentications at ${
        silent.map((request) => `${Math.round((request.at - downAt) / 1000)} s`).join(', ') || 'none'
      } after it began`,
    });
  });
  watch.stop();
  recorder.stop();
});
