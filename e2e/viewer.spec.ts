import { expect, test } from '@playwright/test';
import { defaultApp } from './instances.ts';
import { findOnlineDevice, pageFetch, signedInBanner, signIn } from './support.ts';

test('a viewer sees the fleet read-only: no command buttons, and a forged command is refused', async ({
  page,
}) => {
  await signIn(page, 'viewer', defaultApp.appUrl);
  await expect(signedInBanner(page)).toContainText('viewer');
  await expect(page.getByRole('heading', { name: 'Fleet', exact: true })).toBeVisible();
  await expect(page.getByTestId('device-row').first()).toBeVisible();

  const device = await findOnlineDevice(page);

  await test.step('the device page has no Reboot or Recalibrate button', async () => {
    await page.goto(`/devices/${device.id}`);
    await expect(page.getByRole('heading', { name: device.name, exact: true })).toBeVisible();
    // Wait until the page has fully rendered (charts and alerts), so that absence means something.
    await expect(page.locator('figcaption', { hasText: 'Temperature' })).toBeVisible();
    await expect(page.getByText('Recent alerts', { exact: true }).first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Reboot' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Recalibrate' })).toHaveCount(0);
  });

  await test.step('a command forged from the page is refused with 403', async () => {
    const before = await pageFetch(page, `/api/devices/${device.id}/commands`);
    expect(before.status).toBe(200);
    const result = await page.evaluate(async (id) => {
      const response = await fetch(`/api/devices/${id}/commands`, {
        method: 'POST',
        headers: { 'X-CSRF': '1', 'content-type': 'application/json' },
        body: '{"type":"reboot"}',
      });
      return { status: response.status, body: await response.text() };
    }, device.id);
    expect(result.status, result.body).toBe(403);
    expect(result.body).toContain('insufficient_scope');
    // And nothing was queued for the device.
    const after = await pageFetch(page, `/api/devices/${device.id}/commands`);
    expect(after.body).toEqual(before.body);
  });

  await test.step('the alerts page offers no Acknowledge, and a forged acknowledgement is refused', async () => {
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Alerts', exact: true })).toBeVisible();
    await expect(page.getByTestId('alert-row').first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
    const alerts = await pageFetch(page, '/api/alerts?status=open&limit=1');
    const alert = (alerts.body as { items: { id: string }[] }).items[0];
    expect(alert, 'an open alert to forge an acknowledgement for').toBeDefined();
    const forged = await pageFetch(page, `/api/alerts/${alert?.id}/ack`, { method: 'POST', body: '{}' });
    expect(forged.status).toBe(403);
  });
});
