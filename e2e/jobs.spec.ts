import { readFile } from 'node:fs/promises';
import { expect, type Page, test } from '@playwright/test';
import { jobsApp } from './instances.ts';
import {
  authStats,
  DISPLAY_NAMES,
  pageFetch,
  recordAppResponses,
  setAuthFault,
  signIn,
  tokenFindings,
} from './support.ts';

// Automation jobs, on the jobs instance (instances.ts): firmware updates take 1 s per device and never
// fail, access tokens (the service account's too) live 8 s. Selectors follow web/README.md's UI
// contract (Jobs page, job page, job notifications).

const CSV_HEADER = 'device_id,metric,unit,time,value';
const METRICS = ['temperature', 'humidity', 'battery', 'signal'];
const FINISHED = ['completed', 'failed', 'cancelled'];

/** Jobs a test started, cancelled after it if they are still open (a failed test leaves none running). */
const startedJobs: { page: Page; id: string }[] = [];

test.afterEach(async () => {
  await setAuthFault(jobsApp.authUrl, 'ok');
  for (const { page, id } of startedJobs.splice(0)) {
    try {
      const job = await pageFetch(page, `/bff/jobs/${id}`);
      const status = (job.body as { status?: string }).status ?? '';
      if (!FINISHED.includes(status)) await pageFetch(page, `/bff/jobs/${id}/cancel`, { method: 'POST' });
    } catch {
      // The page is gone: nothing more to tidy from here.
    }
  }
});

/** A firmware version no device has yet, so every device of a rollout really gets an update. */
const newVersion = (label: string) => `e2e-${label}-${Date.now().toString(36)}`;

/** `n` devices that are online now (commands need that), skipping the first `skip`. */
async function onlineDeviceIds(page: Page, n: number, skip = 0): Promise<string[]> {
  const { status, body } = await pageFetch(
    page,
    `/api/devices?status=online&sort=id&limit=${n}&offset=${skip}`,
  );
  expect(status, 'GET /api/devices?status=online').toBe(200);
  const ids = (body as { items: { id: string }[] }).items.map((device) => device.id);
  expect(ids, 'online devices to work on').toHaveLength(n);
  return ids;
}

/**
 * Signs in as the operator, and waits until the jobs service is up: its database starts in the
 * background after the app answers (`503 jobs_unavailable` until then, ~15 s after a cold start).
 */
async function signInOperator(page: Page): Promise<void> {
  await signIn(page, 'operator', jobsApp.appUrl);
  await expect
    .poll(async () => (await pageFetch(page, '/bff/jobs?limit=1')).status, {
      message: 'GET /bff/jobs: the jobs service is ready',
      timeout: 60_000,
      intervals: [500, 1_000],
    })
    .toBe(200);
}

async function openJobs(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Jobs', exact: true }).click();
  await expect(page).toHaveURL(`${jobsApp.appUrl}/jobs`);
  await expect(page.getByRole('heading', { name: 'Jobs', exact: true })).toBeVisible();
}

const startForm = (page: Page) => page.getByRole('region', { name: 'Start a job' });

/** Starts what the form holds: Start job, the confirmation says `expected`, Confirm, the job's page. */
async function startAndConfirm(page: Page, expected: string[]): Promise<string> {
  await startForm(page).getByRole('button', { name: 'Start job', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  for (const text of expected) await expect(dialog).toContainText(text);
  await expect(dialog.getByRole('button', { name: 'Cancel', exact: true })).toBeVisible();
  await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(dialog).toBeHidden();
  await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
  const id = new URL(page.url()).pathname.split('/').at(-1) ?? '';
  startedJobs.push({ page, id });
  return id;
}

/** The job page's status badge: the status as text. */
const jobStatus = (page: Page) => page.getByText(/^(queued|running|paused|completed|failed|cancelled)$/);
const jobProgress = (page: Page) => page.getByRole('progressbar', { name: 'Progress', exact: true });
const notifications = (page: Page) => page.getByRole('status', { name: 'Job notifications' });

/** "3 of 12" → { done: 3, total: 12 }; "0 done" (total not known yet) → { done: 0, total: null }. */
function parseProgress(text: string | null): { done: number; total: number | null } | undefined {
  const match = /^(\d+) (?:of (\d+)|done)$/.exec(text ?? '');
  if (!match) return undefined;
  return { done: Number(match[1]), total: match[2] === undefined ? null : Number(match[2]) };
}

test('an operator starts a firmware rollout on one site and watches it progress live to the end', async ({
  page,
}) => {
  const recorder = recordAppResponses(page, jobsApp.appUrl);
  await signInOperator(page);

  // The smallest site, its online devices only: a rollout of a dozen or so devices.
  const sites = (await pageFetch(page, '/api/sites')).body as {
    items: { id: string; name: string; counts: { online: number } }[];
  };
  const site = [...sites.items].sort((a, b) => a.counts.online - b.counts.online)[0];
  if (!site) throw new Error('the platform has no site');
  const onlineAtSite = async () =>
    ((await pageFetch(page, `/api/devices?site=${site.id}&status=online&limit=1`)).body as { total: number })
      .total;
  let count = await onlineAtSite();
  expect(count, `online devices at ${site.name}`).toBeGreaterThan(6);
  const version = newVersion('live');

  await openJobs(page);
  const form = startForm(page);

  await test.step('choose the site, its online devices, the version, canaries and batches', async () => {
    await expect(form.getByRole('radio', { name: 'Firmware rollout', exact: true })).toBeChecked();
    await form.getByLabel('Site', { exact: true }).selectOption({ label: site.name });
    await form.getByRole('checkbox', { name: 'online', exact: true }).check();
    // The live count for the site's online devices (as the API counts them now: statuses change).
    await expect
      .poll(
        async () => {
          count = await onlineAtSite();
          return (await form.getByTestId('device-count').textContent()) === `${count} devices match`;
        },
        { message: `"<n> devices match" for the online devices at ${site.name}` },
      )
      .toBe(true);
    await form.getByLabel('Firmware version', { exact: true }).fill(version);
    await form.getByLabel('Batch size', { exact: true }).fill('4');
    await form.getByLabel('Canary devices', { exact: true }).fill('2');
  });

  const id = await test.step('start it: the confirmation says what will happen', () =>
    startAndConfirm(page, [
      `Update firmware to ${version} on ${count} devices in batches of 4, 2 canary devices first; stops if more than 10 % fail.`,
      `Devices: site ${site.name}, status online.`,
    ]));

  await test.step('the job page: progress moves without a reload, until completed', async () => {
    await expect(page.getByRole('heading', { name: 'Firmware rollout', exact: true })).toBeVisible();
    // Gone if the page reloaded or navigated away from this document.
    await page.evaluate(() => {
      (window as Window & { e2eSameDocument?: boolean }).e2eSameDocument = true;
    });
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          const text = await jobProgress(page).getAttribute('aria-valuetext', { timeout: 1_000 });
          if (text !== null && seen.at(-1) !== text) seen.push(text);
          const progress = parseProgress(text);
          return progress !== undefined && progress.done === progress.total;
        },
        { message: 'the progress bar reaches the total', timeout: 60_000, intervals: [100] },
      )
      .toBe(true);
    test.info().annotations.push({ type: 'progress seen', description: seen.join(' → ') });
    const steps = seen.map(parseProgress).filter((p) => p !== undefined);
    const total = steps.at(-1)?.total ?? 0;
    expect(total, 'devices in the rollout').toBeGreaterThan(6);
    expect(
      steps.some((p) => p.total !== null && p.done > 0 && p.done < p.total),
      `a part-done progress was shown (seen: ${seen.join(', ')})`,
    ).toBe(true);
    const done = steps.map((p) => p.done);
    expect(done, 'progress never goes back').toEqual([...done].sort((a, b) => a - b));
    await expect(jobStatus(page)).toHaveText('completed');
    expect(
      await page.evaluate(() => (window as Window & { e2eSameDocument?: boolean }).e2eSameDocument),
      'the same document all along (no reload)',
    ).toBe(true);
    expect(new URL(page.url()).pathname).toBe(`/jobs/${id}`);
  });

  await test.step('outcomes per device, the timeline, the notification', async () => {
    const total = parseProgress(await jobProgress(page).getAttribute('aria-valuetext'))?.total ?? 0;
    await expect(page.getByRole('region', { name: 'Outcomes' })).toContainText('Updated');
    const items = page.getByTestId('job-item');
    await expect(items).toHaveCount(total);
    await expect(items.filter({ hasText: 'Updated' }).first()).toBeVisible();
    await expect(items.first().getByRole('link')).toHaveAttribute('href', /^\/devices\//);
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await expect(timeline.getByRole('listitem').filter({ hasText: 'Created' })).toContainText(
      `by ${DISPLAY_NAMES.operator}`,
    );
    await expect(timeline.getByRole('listitem').filter({ hasText: 'Completed' })).toBeVisible();
    await expect(
      notifications(page).getByTestId('job-notification').filter({ hasText: 'Firmware rollout completed' }),
    ).toBeVisible();
  });

  await test.step('no token in any answer, nor in the live events received so far', async () => {
    const bodies = await recorder.settled();
    recorder.stop();
    const stream = bodies.filter((b) => b.partial && new URL(b.url).pathname === '/bff/events');
    expect(
      stream.some((b) => b.text.includes('event: job')),
      'job events were read',
    ).toBe(true);
    expect(bodies.flatMap((b) => tokenFindings(`${b.status} ${b.url}`, b.text))).toEqual([]);
  });
});

test('the service account refused mid-rollout: a pause the operator hears of anywhere, Resume, done', async ({
  page,
}) => {
  await signInOperator(page);
  // One device per batch, each update at least 1 s: the rollout (10 s or more) outlasts the service
  // account's next token request (at most ~6 s away with 8 s tokens), so the refusal catches it running.
  const ids = await onlineDeviceIds(page, 10, 20);
  const version = newVersion('creds');
  await openJobs(page);
  const form = startForm(page);
  await form.getByLabel('Device ids', { exact: false }).fill(ids.join(', '));
  await expect(form.getByTestId('device-count')).toHaveText('10 devices match');
  await form.getByLabel('Firmware version', { exact: true }).fill(version);
  await form.getByLabel('Batch size', { exact: true }).fill('1');
  await form.getByLabel('Canary devices', { exact: true }).fill('0');
  const id = await startAndConfirm(page, [
    `Update firmware to ${version} on 10 devices in batches of 1, no canary batch;`,
  ]);
  await expect(jobStatus(page)).toHaveText('running');
  // The selection is resolved (so the service account holds a token): the refusal comes at its renewal.
  await expect(jobProgress(page)).toHaveAttribute('aria-valuetext', /^\d+ of 10$/);
  const errorsBefore = (await authStats(jobsApp.authUrl)).tokenErrors.client_credentials ?? 0;

  await setAuthFault(jobsApp.authUrl, 'invalid_client', 'client_credentials');
  test.info().annotations.push({
    type: 'progress when the credentials were refused',
    description: (await jobProgress(page).getAttribute('aria-valuetext')) ?? '',
  });

  const pausedNote = notifications(page)
    .getByTestId('job-notification')
    .filter({ hasText: 'Firmware rollout paused' });

  await test.step('on the fleet page, the notification says the job paused and why', async () => {
    await page.getByRole('link', { name: 'Fleet', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Fleet', exact: true })).toBeVisible();
    await expect(pausedNote).toBeVisible({ timeout: 30_000 });
    await expect(pausedNote).toContainText("The automation account's credentials were refused");
    await expect(page).toHaveURL(`${jobsApp.appUrl}/`);
    // The authorization server did refuse the service account.
    expect((await authStats(jobsApp.authUrl)).tokenErrors.client_credentials ?? 0).toBeGreaterThan(
      errorsBefore,
    );
  });

  await test.step('the Jobs list shows it paused, needing an operator', async () => {
    await openJobs(page);
    const row = page.getByTestId('job-row').filter({ hasText: id });
    await expect(row).toContainText('paused');
    await expect(row).toContainText('credentials refused — needs an operator');
    await expect(pausedNote).toBeVisible();
  });

  await test.step('Open job: paused, with the credentials explanation, Resume and Cancel offered', async () => {
    await pausedNote.getByRole('link', { name: 'Open job', exact: true }).click();
    await expect(page).toHaveURL(`${jobsApp.appUrl}/jobs/${id}`);
    await expect(jobStatus(page)).toHaveText('paused');
    const paused = page.getByTestId('job-paused');
    await expect(paused).toContainText('This job is paused.');
    await expect(paused).toContainText("The automation account's credentials were refused.");
    const progress = parseProgress(await jobProgress(page).getAttribute('aria-valuetext'));
    expect(progress?.total).toBe(10);
    expect(progress?.done ?? 10, 'devices done before the pause').toBeLessThan(10);
    await expect(page.getByRole('button', { name: 'Cancel job', exact: true })).toBeVisible();
  });

  await test.step('credentials fixed, Resume: the job continues and completes', async () => {
    await setAuthFault(jobsApp.authUrl, 'ok');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect(
      page.getByRole('status').filter({ hasText: 'Resumed: the job continues where it stopped.' }),
    ).toBeVisible();
    await expect(page.getByTestId('job-paused')).toBeHidden();
    await expect(jobStatus(page)).toHaveText('completed', { timeout: 45_000 });
    await expect(jobProgress(page)).toHaveAttribute('aria-valuetext', '10 of 10');
    await expect(page.getByTestId('job-item')).toHaveCount(10);
    await expect(page.getByRole('button', { name: 'Resume', exact: true })).toHaveCount(0);
    const timeline = page.getByRole('region', { name: 'Timeline' }).getByRole('listitem');
    await expect(timeline.filter({ hasText: 'Paused' }).first()).toContainText('by system');
    await expect(timeline.filter({ hasText: 'Resumed' }).first()).toContainText(
      `by ${DISPLAY_NAMES.operator}`,
    );
  });
});

test('an operator exports an hour of telemetry of three devices and downloads the CSV', async ({ page }) => {
  await signInOperator(page);
  const ids = await onlineDeviceIds(page, 3, 40);
  // The last whole hour, as `datetime-local` values in the browser's time zone.
  const range = await page.evaluate(() => {
    const pad = (n: number) => String(n).padStart(2, '0');
    const local = (d: Date) =>
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const to = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const from = new Date(to.getTime() - 3_600_000);
    return { from: local(from), to: local(to), fromMs: from.getTime(), toMs: to.getTime() };
  });

  await openJobs(page);
  const form = startForm(page);
  await form.getByRole('radio', { name: 'Telemetry export', exact: true }).check();
  await form.getByLabel('Device ids', { exact: false }).fill(ids.join(', '));
  await expect(form.getByTestId('device-count')).toHaveText('3 devices match');
  await form.getByLabel('From', { exact: true }).fill(range.from);
  await form.getByLabel('To', { exact: true }).fill(range.to);
  for (const metric of METRICS) {
    await expect(form.getByRole('checkbox', { name: metric, exact: true })).toBeChecked();
  }
  await startAndConfirm(page, [
    'Export the temperature, humidity, battery and signal readings of 3 devices from',
    'as a CSV file.',
    `Devices: devices ${ids.join(', ')}.`,
  ]);

  await expect(page.getByRole('heading', { name: 'Telemetry export', exact: true })).toBeVisible();
  await expect(jobStatus(page)).toHaveText('completed', { timeout: 30_000 });
  await expect(page.getByTestId('job-item').filter({ hasText: 'Exported' })).toHaveCount(3);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download result', exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const [header, ...rows] = csv.trimEnd().split('\n');
  expect(header).toBe(CSV_HEADER);
  expect(rows.length, 'rows in the CSV').toBeGreaterThan(0);
  const problems: string[] = [];
  const devicesWithRows = new Set<string>();
  for (const row of rows) {
    const [device, metric, , time, value, ...extra] = row.split(',');
    const at = Date.parse(time ?? '');
    if (
      !ids.includes(device ?? '') ||
      !METRICS.includes(metric ?? '') ||
      !(at >= range.fromMs && at <= range.toMs) ||
      !(value === '' || Number.isFinite(Number(value))) ||
      extra.length > 0
    )
      problems.push(row);
    devicesWithRows.add(device ?? '');
  }
  expect(problems.slice(0, 5), 'rows outside the selection, metrics or range').toEqual([]);
  expect([...devicesWithRows].sort()).toEqual([...ids].sort());
  test.info().annotations.push({ type: 'CSV rows', description: String(rows.length) });
});

test('a viewer sees the jobs read-only, and a job started from the page is refused with 403', async ({
  page,
  browser,
}) => {
  // Something for the viewer to look at: an operator's schedule, which stays open (running, waiting
  // for its next run on 1 January) whatever the timing.
  const operator = await browser.newContext({ baseURL: jobsApp.appUrl });
  const operatorPage = await operator.newPage();
  let scheduleId: string | undefined;
  try {
    await signInOperator(operatorPage);
    const [device] = await onlineDeviceIds(operatorPage, 1);
    const schedule = await pageFetch(operatorPage, '/bff/jobs', {
      method: 'POST',
      body: JSON.stringify({
        type: 'recalibration',
        params: { selection: { ids: [device] }, schedule: { cron: '0 3 1 1 *', timezone: 'UTC' } },
      }),
    });
    expect(schedule.status, JSON.stringify(schedule.body)).toBe(202);
    scheduleId = (schedule.body as { id: string }).id;

    await signIn(page, 'viewer', jobsApp.appUrl);
    await openJobs(page);

    await test.step('the Jobs page: a read-only note, no start form', async () => {
      await expect(page.getByText('Jobs are read-only for you', { exact: false })).toBeVisible();
      const row = page.getByTestId('job-row').filter({ hasText: scheduleId });
      await expect(row).toContainText('running');
      await expect(startForm(page)).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Start job' })).toHaveCount(0);
      await expect(page.getByTestId('device-count')).toHaveCount(0);
      await row.getByRole('link', { name: 'Recalibration', exact: true }).click();
    });

    await test.step('the job page: no Resume or Cancel job, a note instead', async () => {
      await expect(page).toHaveURL(`${jobsApp.appUrl}/jobs/${scheduleId}`);
      await expect(page.getByRole('heading', { name: 'Recalibration', exact: true })).toBeVisible();
      await expect(jobStatus(page)).toHaveText('running');
      await expect(page.getByText('Resuming and cancelling jobs needs the operator role.')).toBeVisible();
      await expect(page.getByRole('button', { name: 'Resume' })).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Cancel job' })).toHaveCount(0);
    });

    await test.step('a job or a cancel forged from the page is refused with 403 insufficient_scope', async () => {
      const before = await pageFetch(page, '/bff/jobs?limit=1');
      expect(before.status).toBe(200);
      const forged = await page.evaluate(async (id) => {
        const response = await fetch('/bff/jobs', {
          method: 'POST',
          headers: { 'X-CSRF': '1', 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'recalibration', params: { selection: { ids: [id] } } }),
        });
        return { status: response.status, body: await response.text() };
      }, device);
      expect(forged.status, forged.body).toBe(403);
      expect((JSON.parse(forged.body) as { error: string }).error).toBe('insufficient_scope');
      const cancel = await pageFetch(page, `/bff/jobs/${scheduleId}/cancel`, { method: 'POST' });
      expect(cancel.status).toBe(403);
      expect((cancel.body as { error: string }).error).toBe('insufficient_scope');
      // Nothing was started, and the schedule still runs.
      const after = await pageFetch(page, '/bff/jobs?limit=1');
      expect((after.body as { total: number }).total).toBe((before.body as { total: number }).total);
      const job = await pageFetch(page, `/bff/jobs/${scheduleId}`);
      expect((job.body as { status: string }).status).toBe('running');
    });
  } finally {
    // The operator ends the schedule (a viewer cannot).
    if (scheduleId) {
      const cancelled = await pageFetch(operatorPage, `/bff/jobs/${scheduleId}/cancel`, { method: 'POST' });
      expect.soft(cancelled.status, 'the operator cancels the schedule').toBe(200);
    }
    await operator.close();
  }
});
