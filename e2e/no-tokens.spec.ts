import { expect, test } from '@playwright/test';
import { defaultApp } from './instances.ts';
import {
  findOnlineDevice,
  recordAppResponses,
  scanBrowserStorage,
  signIn,
  tokenFindings,
} from './support.ts';

test('no token reaches the browser: not in storage, document.cookie or any /bff or /api answer', async ({
  page,
  context,
}) => {
  const recorder = recordAppResponses(page, defaultApp.appUrl);

  await signIn(page, 'operator', defaultApp.appUrl);
  await expect(page.getByTestId('device-row').first()).toBeVisible();
  const device = await findOnlineDevice(page);
  await page.getByTestId('device-row').first().click();
  await expect(page.locator('figure canvas').first()).toBeVisible();
  await page.goto(`/devices/${device.id}?range=24h`);
  await expect(page.getByRole('heading', { name: device.name, exact: true })).toBeVisible();
  await expect(page.locator('figure canvas').first()).toBeVisible();
  await page.getByRole('link', { name: 'Alerts', exact: true }).click();
  await expect(page.getByTestId('alert-row').first()).toBeVisible();

  await test.step('the session cookie is HttpOnly, Secure, SameSite=Strict and host-only', async () => {
    const cookies = await context.cookies(defaultApp.appUrl);
    const session = cookies.filter((cookie) => cookie.name.startsWith('__Host-bff_session'));
    expect(session.length).toBeGreaterThan(0);
    for (const cookie of session) {
      expect(cookie, cookie.name).toMatchObject({
        httpOnly: true,
        secure: true,
        sameSite: 'Strict',
        path: '/',
      });
      expect(cookie.domain, cookie.name).toBe('localhost');
    }
    for (const cookie of cookies) expect(cookie.httpOnly, `${cookie.name} is HttpOnly`).toBe(true);
  });

  await test.step('document.cookie is empty and storage holds no token', async () => {
    const { findings, documentCookie } = await scanBrowserStorage(page);
    expect(documentCookie).toBe('');
    expect(findings).toEqual([]);
  });

  await test.step('no answer of /bff/* or /api/* carries a token', async () => {
    const bodies = await recorder.settled();
    recorder.stop();
    // The scan looked at real answers: the session and the fleet's data.
    expect(bodies.some((b) => b.url.includes('/bff/session') && b.text.includes(`"authenticated"`))).toBe(
      true,
    );
    expect(bodies.some((b) => /\/api\/devices/.test(b.url) && b.status === 200 && b.text.length > 100)).toBe(
      true,
    );
    expect(bodies.some((b) => /\/api\/alerts/.test(b.url) && b.status === 200)).toBe(true);
    // The live event stream never ends: its frames were scanned up to now, without waiting for its end.
    const streams = bodies.filter((b) => b.partial && new URL(b.url).pathname === '/bff/events');
    expect(streams.length, 'the /bff/events stream was read').toBeGreaterThan(0);
    expect(streams.some((b) => b.status === 200 && b.text.startsWith(': connected'))).toBe(true);
    const findings = bodies.flatMap((b) => tokenFindings(`${b.status} ${b.url}`, b.text));
    expect(findings).toEqual([]);
    test
      .info()
      .annotations.push({ type: 'scanned', description: `${bodies.length} answers of /bff/* and /api/*` });
  });
});
