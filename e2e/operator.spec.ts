import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { defaultApp } from './instances.ts';
import { drawnPixels, findOnlineDevice, recordAppResponses, signedInBanner, signIn } from './support.ts';

const screenshot = (name: string) => fileURLToPath(new URL(`./screenshots/${name}`, import.meta.url));
const METRICS = ['Temperature', 'Humidity', 'Battery', 'Signal'] as const;

test('an operator signs in, watches the fleet, opens a device, sends a command and acknowledges an alert', async ({
  page,
}) => {
  await test.step('sign in through the platform login page', async () => {
    await signIn(page, 'operator', defaultApp.appUrl);
    await expect(signedInBanner(page)).toContainText('operator');
    await expect(signedInBanner(page).getByRole('button', { name: 'Sign out' })).toBeVisible();
  });

  const device = await findOnlineDevice(page);
  const responses = recordAppResponses(page, defaultApp.appUrl);

  await test.step('the fleet shows', async () => {
    await expect(page).toHaveURL(`${defaultApp.appUrl}/`);
    await expect(page.getByRole('heading', { name: 'Fleet', exact: true })).toBeVisible();
    for (const status of ['Online', 'Degraded', 'Offline']) {
      await expect(page.getByText(new RegExp(`${status}\\s*\\d+`)).first()).toBeVisible();
    }
    for (const control of ['Site', 'Status', 'Search', 'Sort']) {
      await expect(page.getByLabel(control, { exact: true })).toBeVisible();
    }
    const rows = page.getByTestId('device-row');
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeGreaterThan(5);
    await expect(rows.first()).toHaveRole('link');
    await page.screenshot({ path: screenshot('fleet.png') });
  });

  await test.step('open a device from the list', async () => {
    await page.getByLabel('Search', { exact: true }).fill(device.id);
    const rows = page.getByTestId('device-row');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(device.name);
    await rows.first().click();
    await expect(page).toHaveURL(new RegExp(`/devices/${device.id}(\\?|$)`));
    await expect(page.getByRole('heading', { name: device.name, exact: true })).toBeVisible();
  });

  await test.step('its charts render with data', async () => {
    for (const range of ['1 h', '6 h', '24 h', '7 d']) {
      await expect(page.getByRole('button', { name: range, exact: true })).toHaveAttribute(
        'aria-pressed',
        /true|false/,
      );
    }
    for (const metric of METRICS) {
      const figure = page.locator('figure').filter({ has: page.locator('figcaption', { hasText: metric }) });
      await expect(figure, `figure "${metric}"`).toHaveCount(1);
      await expect(figure.locator('canvas').first()).toBeVisible();
      // uPlot paints axes, grid and series into the canvas. Painted pixels alone do not prove data
      // (an empty chart's axes and grid paint about as many), hence the telemetry check below.
      await expect
        .poll(() => drawnPixels(page, metric), {
          message: `painted pixels in the ${metric} chart`,
          timeout: 15_000,
        })
        .toBeGreaterThan(2_000);
    }
    // The charts were fed real readings: every metric's telemetry answer carried non-null points.
    const telemetry = (await responses.settled()).filter(
      (b) => b.status === 200 && new URL(b.url).pathname === `/api/devices/${device.id}/telemetry`,
    );
    for (const metric of METRICS) {
      const readings = telemetry
        .filter((b) => new URL(b.url).searchParams.get('metric') === metric.toLowerCase())
        .map((b) =>
          (JSON.parse(b.text) as { points: [number, number | null][] }).points.filter(([, v]) => v !== null),
        );
      expect(readings.length, `telemetry answers for ${metric}`).toBeGreaterThan(0);
      expect(Math.max(...readings.map((r) => r.length)), `${metric} readings`).toBeGreaterThan(10);
    }
    await expect(page.getByText('Recent alerts', { exact: true }).first()).toBeVisible();
    await page.screenshot({ path: screenshot('device.png') });
  });

  await test.step('switch the range: the button is pressed and the URL says so', async () => {
    await page.getByRole('button', { name: '6 h', exact: true }).click();
    await expect(page.getByRole('button', { name: '6 h', exact: true })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await expect(page.getByRole('button', { name: '1 h', exact: true })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
    await expect(page).toHaveURL(/[?&]range=6h/);
    await expect.poll(() => drawnPixels(page, 'Temperature')).toBeGreaterThan(2_000);
  });

  await test.step('send a command: Recalibrate, Confirm, the result in a status', async () => {
    await expect(page.getByRole('button', { name: 'Reboot', exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Recalibrate', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Cancel', exact: true })).toBeVisible();
    await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(
      page.getByRole('status').filter({ hasText: /Command recalibrate: (pending|completed)/ }),
    ).toBeVisible();
  });

  await test.step('acknowledge an alert on the Alerts page', async () => {
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await expect(page).toHaveURL(`${defaultApp.appUrl}/alerts`);
    await expect(page.getByRole('heading', { name: 'Alerts', exact: true })).toBeVisible();
    const rows = page.getByTestId('alert-row');
    await expect(rows.first()).toBeVisible();
    await expect(rows.first()).toContainText(/critical|warning|info/i);
    const acknowledgedBefore = await rows.filter({ hasText: 'Acknowledged by' }).count();
    const buttonsBefore = await page.getByRole('button', { name: 'Acknowledge', exact: true }).count();
    expect(buttonsBefore).toBeGreaterThan(0);
    await rows.getByRole('button', { name: 'Acknowledge', exact: true }).first().click();
    await expect
      .poll(() => rows.filter({ hasText: 'Acknowledged by' }).count(), {
        message: 'rows showing "Acknowledged by"',
      })
      .toBeGreaterThan(acknowledgedBefore);
  });
});
