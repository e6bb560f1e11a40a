import { expect, test } from '@playwright/test';
import { defaultApp } from './instances.ts';
import { bffSession, findOnlineDevice, signIn } from './support.ts';

// Users navigate away while answers are still arriving, and browsers then abort those requests.
// That must never take the app down for everyone. Runs last, in its own project: if the app does
// crash, no other test is hit by it.

test('requests aborted mid-answer (navigating away) never take the app down', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'operator', defaultApp.appUrl);
  const device = await findOnlineDevice(page);

  await test.step('navigate away from pages that are still loading', async () => {
    for (let round = 0; round < 10; round += 1) {
      await page.goto(`/devices/${device.id}?range=7d`, { waitUntil: 'commit' });
      await page.waitForTimeout(50 + round * 30);
      await page.goto('/alerts', { waitUntil: 'commit' });
      await page.waitForTimeout(50 + round * 30);
      await page.goto('/', { waitUntil: 'commit' });
    }
    await expect(page.getByTestId('device-row').first()).toBeVisible();
  });

  await test.step('abort many answers of /api while they stream', async () => {
    const outcome = await page.evaluate(
      async ({ deviceId }) => {
        const week = Date.now() - 7 * 86_400_000;
        const urls = [
          '/api/devices?limit=1000',
          '/api/alerts?limit=1000',
          `/api/devices/${deviceId}/telemetry?metric=temperature&from=${week}`,
          `/api/devices/${deviceId}/telemetry?metric=humidity&from=${week}`,
        ];
        const counts = { completed: 0, aborted: 0, failed: 0 };
        for (let round = 0; round < 150; round += 1) {
          await Promise.all(
            urls.map(async (url) => {
              const controller = new AbortController();
              setTimeout(() => controller.abort(), Math.random() * 15);
              try {
                const response = await fetch(url, { headers: { 'X-CSRF': '1' }, signal: controller.signal });
                await response.arrayBuffer();
                counts.completed += 1;
              } catch (error) {
                if (error instanceof DOMException && error.name === 'AbortError') counts.aborted += 1;
                else counts.failed += 1; // the server went away
              }
            }),
          );
          if (counts.failed > 0) break;
        }
        return counts;
      },
      { deviceId: device.id },
    );
    test.info().annotations.push({ type: 'requests', description: JSON.stringify(outcome) });
    expect(outcome.failed, `requests that failed without being aborted: ${JSON.stringify(outcome)}`).toBe(0);
  });

  await test.step('the app still answers and the user is still signed in', async () => {
    const session = await bffSession(page);
    expect(session.status).toBe(200);
    await page.goto('/');
    await expect(page.getByTestId('device-row').first()).toBeVisible();
  });
});
