import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CookieJarClient,
  csrfHeaders,
  signInThroughBff,
  startTestStack,
  type TestStack,
} from '../test-support.ts';
import type { JobNotification } from './job-events.ts';
import type { JobSummary } from './job-view.ts';
import { AUTOMATION_SECRET, freshTestDatabase, listen, serviceToken, waitUntil } from './test-support.ts';

// Automation jobs end to end over HTTP: a real platform (simulated fleet, real authorization server
// with its fault switch), the BFF with its jobs database (PGlite, and PostgreSQL when the test setup
// started one), and browsers signed in as an operator and a viewer.

const TIMEOUT = 60_000;

interface JobDetail extends JobSummary {
  params: unknown;
  items: {
    entries: { key: string; outcome: string; detail: Record<string, unknown> | null }[];
    total: number;
  };
  events: {
    at: string;
    kind: string;
    by: { sub: string; name: string | null } | null;
    detail: Record<string, unknown>;
  }[];
}

interface DeviceCommand {
  id: string;
  type: string;
  status: string;
  version?: string;
  jobId?: string;
  initiatedBy?: string;
  issuedBy: string;
  failureReason?: string;
}

/** The suite, run by one test file per backend so the two run side by side. */
export function describeJobs(backend: 'pglite' | 'postgres'): void {
  describe(`automation jobs (${backend})`, () => {
    let stack: TestStack;
    let dropDatabase: (() => Promise<void>) | undefined;
    const operator = new CookieJarClient();
    const viewer = new CookieJarClient();
    let operatorSub = '';
    const notifications: JobNotification[] = [];
    const stopStream = new AbortController();

    beforeAll(async () => {
      const database = backend === 'postgres' ? await freshTestDatabase() : undefined;
      dropDatabase = database?.drop;
      stack = await startTestStack({
        // Short service-account tokens, so a job renews its token while it runs (and meets the faults).
        platformEnv: {
          AUTH_ACCESS_TOKEN_TTL: '6',
          API_FIRMWARE_UPDATE_SECONDS: '0.3',
          API_FIRMWARE_FAILURE_RATE: '0.1',
          API_RECALIBRATE_SECONDS: '0.5',
        },
        bffEnv: {
          AUTOMATION_CLIENT_SECRET: AUTOMATION_SECRET,
          JOBS_COMMAND_POLL_MS: '50',
          JOBS_IDP_RETRY_BUDGET_SECONDS: '1',
          JOBS_AUTO_RESUME_SECONDS: '2',
          JOBS_CONCURRENCY: '4',
          ...(database ? { DATABASE_URL: database.url } : {}),
        },
        deps: { jobsTuning: { runner: { pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1 } } },
      });
      await stack.bff.jobs?.start();
      await signInThroughBff(stack, operator, 'operator');
      await signInThroughBff(stack, viewer, 'viewer');
      operatorSub = ((await (await bff(operator, '/bff/session')).json()) as { user: { sub: string } }).user
        .sub;
      void listen(operator, `${stack.appUrl}/bff/events`, stopStream.signal, (event, data) => {
        if (event === 'notification') notifications.push(JSON.parse(data) as JobNotification);
      });
    }, TIMEOUT);

    // A failed test must not leave the provider broken for the next one.
    afterEach(() => {
      stack?.platform.authFaults.set('ok');
    });

    afterAll(async () => {
      stopStream.abort();
      await stack?.dispose();
      await dropDatabase?.();
    }, TIMEOUT);

    const bff = (browser: CookieJarClient, path: string, init: RequestInit = {}) =>
      browser.fetch(`${stack.appUrl}${path}`, { ...init, headers: { ...csrfHeaders, ...init.headers } });

    const post = (browser: CookieJarClient, path: string, body?: unknown) =>
      bff(browser, path, {
        method: 'POST',
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });

    async function start(type: string, params: unknown): Promise<string> {
      const response = await post(operator, '/bff/jobs', { type, params });
      expect(response.status, await response.clone().text()).toBe(202);
      return ((await response.json()) as { id: string }).id;
    }

    async function detail(id: string, query = 'itemsLimit=1000'): Promise<JobDetail> {
      return (await (await bff(operator, `/bff/jobs/${id}?${query}`)).json()) as JobDetail;
    }

    async function waitFor(id: string, done: (job: JobDetail) => boolean, what: string): Promise<JobDetail> {
      const deadline = Date.now() + 40_000;
      for (;;) {
        const job = await detail(id);
        if (done(job)) return job;
        if (Date.now() > deadline) throw new Error(`job ${id} never ${what}: ${JSON.stringify(job.status)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    const waitForStatus = (id: string, status: string) => waitFor(id, (job) => job.status === status, status);

    /** What the device API itself says, asked with the service account's own token. */
    async function platformDevice(
      id: string,
    ): Promise<{ firmwareVersion: string; commands: DeviceCommand[] }> {
      const token = await serviceToken(stack.platform.issuer);
      const headers = { authorization: `Bearer ${token}` };
      const device = (await (await fetch(`${stack.platform.apiUrl}/devices/${id}`, { headers })).json()) as {
        firmwareVersion: string;
      };
      const commands = (await (
        await fetch(`${stack.platform.apiUrl}/devices/${id}/commands`, { headers })
      ).json()) as {
        items: DeviceCommand[];
      };
      return { firmwareVersion: device.firmwareVersion, commands: commands.items };
    }

    it('refuses a viewer and bad input with stable codes', async () => {
      const refused = await post(viewer, '/bff/jobs', {
        type: 'firmware-rollout',
        params: { version: '3.0.0', selection: {} },
      });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: 'insufficient_scope' });
      for (const body of [
        { type: 'nope', params: {} },
        { type: 'firmware-rollout', params: { version: 'bad version!', selection: {} } },
        {
          type: 'telemetry-export',
          params: { selection: {}, from: '2026-01-10T00:00:00Z', to: '2026-01-01T00:00:00Z' },
        },
        {
          type: 'recalibration',
          params: { selection: {}, schedule: { cron: '61 * * * *', timezone: 'UTC' } },
        },
        {
          type: 'recalibration',
          params: { selection: {}, schedule: { cron: '0 6 * * *', timezone: 'Mars/Base' } },
        },
      ]) {
        const response = await post(operator, '/bff/jobs', body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(await response.json()).toMatchObject({ error: 'bad_request', requestId: expect.any(String) });
      }
      expect((await bff(operator, '/bff/jobs/not-a-uuid')).status).toBe(404);
      expect((await bff(operator, '/bff/jobs?status=sleeping')).status).toBe(400);
      expect((await bff(new CookieJarClient(), '/bff/jobs')).status).toBe(401);
      expect((await new CookieJarClient().fetch(`${stack.appUrl}/bff/jobs`)).status).toBe(403);
    });

    it(
      'rolls firmware out over the fleet with the right per-device outcomes, attributed to the operator',
      async () => {
        const id = await start('firmware-rollout', {
          version: '7.0.0',
          selection: {},
          batchSize: 40,
          canary: 5,
          failureThreshold: 0.5,
        });
        const job = await waitForStatus(id, 'completed');
        expect(job.progress).toEqual({ done: 120, total: 120 });
        expect(job.items.total).toBe(120);
        const outcomes = job.items.entries.reduce<Record<string, number>>((counts, item) => {
          counts[item.outcome] = (counts[item.outcome] ?? 0) + 1;
          return counts;
        }, {});
        expect(job.summary).toEqual(outcomes);
        expect(outcomes.updated).toBeGreaterThan(60);
        expect(outcomes.failed ?? 0).toBeGreaterThan(0);

        // Every outcome is what the device API itself reports, and each command names the person.
        for (const item of job.items.entries) {
          const device = await platformDevice(item.key);
          const mine = device.commands.filter((command) => command.jobId === id);
          if (item.outcome === 'updated') {
            expect(device.firmwareVersion).toBe('7.0.0');
            expect(mine).toHaveLength(1);
            expect(mine[0]).toMatchObject({
              type: 'firmware-update',
              status: 'completed',
              initiatedBy: operatorSub,
              issuedBy: 'iot-automation',
            });
          } else if (item.outcome === 'failed') {
            expect(device.firmwareVersion).not.toBe('7.0.0');
            expect(mine).toHaveLength(1);
            expect(mine[0]).toMatchObject({ status: 'failed', failureReason: 'update_failed' });
          } else {
            expect(item.outcome).toBe('offline');
            expect(mine.every((command) => command.failureReason === 'device_offline')).toBe(true);
          }
        }

        // The audit trail: who asked, with what, which permission was checked, and how it went.
        expect(job.events[0]).toMatchObject({
          kind: 'created',
          by: { sub: operatorSub, name: expect.any(String) },
          detail: {
            permissionChecked: 'jobs:run',
            params: { version: '7.0.0' },
            sessionId: expect.any(String),
          },
        });
        const kinds = job.events.map((event) => event.kind);
        expect(kinds).toEqual(
          expect.arrayContaining([
            'started',
            'selection_resolved',
            'batch_started',
            'canary_passed',
            'completed',
          ]),
        );
        expect(kinds.filter((kind) => kind === 'batch_started')).toHaveLength(4);
        expect(notifications).toContainEqual(expect.objectContaining({ jobId: id, kind: 'completed' }));

        // A second rollout to the same version sends nothing to devices already there.
        const again = await start('firmware-rollout', {
          version: '7.0.0',
          selection: {},
          failureThreshold: 1,
        });
        const second = await waitForStatus(again, 'completed');
        expect(second.summary.already_current).toBe(outcomes.updated);
        expect(second.summary.updated ?? 0).toBe(0);

        // The viewer sees the job, read-only.
        const listed = (await (await bff(viewer, '/bff/jobs?type=firmware-rollout')).json()) as {
          items: JobSummary[];
          total: number;
        };
        expect(listed.items.map((entry) => entry.id)).toContain(id);
        expect((await post(viewer, `/bff/jobs/${id}/cancel`)).status).toBe(403);
      },
      TIMEOUT,
    );

    it(
      'stops a rollout when its canary fails past the threshold',
      async () => {
        const first = await detail((await latestJob('firmware-rollout', 'completed', 1)).id);
        const failedDevice = first.items.entries.find((item) => item.outcome === 'failed')?.key;
        const others = first.items.entries
          .filter((item) => item.outcome === 'updated')
          .slice(0, 3)
          .map((item) => item.key);
        expect(failedDevice).toBeDefined();
        const ids = [failedDevice as string, ...others].sort();
        const id = await start('firmware-rollout', {
          version: '7.0.0',
          selection: { ids },
          canary: ids.indexOf(failedDevice as string) + 1,
          batchSize: 10,
          failureThreshold: 0,
        });
        const job = await waitForStatus(id, 'failed');
        expect(job.error).toMatch(/canary/);
        expect(job.events.map((event) => event.kind)).toContain('threshold_reached');
        expect(
          job.items.entries.filter((item) => item.outcome === 'not_attempted').map((item) => item.key),
        ).toEqual(ids.slice(ids.indexOf(failedDevice as string) + 1));
        expect(notifications).toContainEqual(expect.objectContaining({ jobId: id, kind: 'failed' }));
      },
      TIMEOUT,
    );

    async function latestJob(type: string, status: string, skip = 0): Promise<JobSummary> {
      const list = (await (await bff(operator, `/bff/jobs?type=${type}&status=${status}`)).json()) as {
        items: JobSummary[];
      };
      const job = list.items[list.items.length - 1 - skip];
      if (!job) throw new Error(`no ${status} ${type} job`);
      return job;
    }

    it(
      'pauses when the service account is refused, tells the operator, and resumes without doubling a device',
      async () => {
        const id = await start('firmware-rollout', {
          version: '8.0.0',
          selection: {},
          batchSize: 20,
          canary: 0,
          failureThreshold: 1,
        });
        await waitFor(id, (job) => job.progress.done >= 20, 'reached 20 devices');
        stack.platform.authFaults.set('invalid_client', undefined, 'client_credentials');
        const paused = await waitForStatus(id, 'paused');
        expect(paused.pausedReason).toBe('credentials');
        await waitUntil(
          () => notifications.some((n) => n.jobId === id && n.kind === 'paused'),
          'the pause notification',
        );
        expect(notifications.find((n) => n.jobId === id && n.kind === 'paused')).toMatchObject({
          pausedReason: 'credentials',
        });
        // A credentials pause waits for a person, however long.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        expect((await detail(id)).status).toBe('paused');

        expect((await post(viewer, `/bff/jobs/${id}/resume`)).status).toBe(403);
        stack.platform.authFaults.set('ok');
        const resumed = await post(operator, `/bff/jobs/${id}/resume`);
        expect(resumed.status).toBe(200);
        const job = await waitForStatus(id, 'completed');
        expect(job.items.total).toBe(120);
        expect(new Set(job.items.entries.map((item) => item.key)).size).toBe(120);
        for (const item of job.items.entries.filter(
          (entry) => entry.outcome === 'updated' || entry.outcome === 'failed',
        )) {
          const mine = (await platformDevice(item.key)).commands.filter((command) => command.jobId === id);
          expect(mine, item.key).toHaveLength(1);
        }
        const resumeEvent = job.events.find((event) => event.kind === 'resumed');
        expect(resumeEvent).toMatchObject({
          by: { sub: operatorSub },
          detail: { permissionChecked: 'jobs:run' },
        });
        expect((await post(operator, `/bff/jobs/${id}/resume`)).status).toBe(409);
      },
      TIMEOUT,
    );

    it(
      'pauses while the identity provider is down past the retry budget, and resumes by itself',
      async () => {
        const id = await start('recalibration', { selection: {} });
        await waitFor(id, (job) => job.progress.done >= 10, 'reached 10 devices');
        stack.platform.authFaults.set('down');
        try {
          const paused = await waitForStatus(id, 'paused');
          expect(paused.pausedReason).toBe('idp_unavailable');
        } finally {
          stack.platform.authFaults.set('ok');
        }
        const job = await waitForStatus(id, 'completed');
        expect(job.summary.recalibrated).toBeGreaterThan(60);
        const resumed = job.events.filter((event) => event.kind === 'resumed');
        expect(resumed.length).toBeGreaterThan(0);
        expect(resumed.every((event) => event.by === null && event.detail.automatic === true)).toBe(true);
      },
      TIMEOUT,
    );

    it(
      'exports telemetry as a CSV only signed-in readers can download',
      async () => {
        const to = new Date();
        const from = new Date(to.getTime() - 2 * 3600 * 1000);
        const id = await start('telemetry-export', {
          selection: { ids: ['dev-0001', 'dev-0002', 'dev-0003'] },
          from: from.toISOString(),
          to: to.toISOString(),
          metrics: ['temperature', 'battery'],
        });
        const job = await waitForStatus(id, 'completed');
        expect(job.hasResult).toBe(true);
        expect(job.summary).toEqual({ exported: 3 });
        const download = await bff(viewer, `/bff/jobs/${id}/result`);
        expect(download.status).toBe(200);
        expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
        expect(download.headers.get('content-disposition')).toMatch(
          /^attachment; filename="telemetry-export-/,
        );
        const lines = (await download.text()).trim().split('\n');
        expect(lines[0]).toBe('device_id,metric,unit,time,value');
        const rows = lines.slice(1);
        const expectedRows = job.items.entries.reduce((sum, item) => sum + Number(item.detail?.rows), 0);
        expect(rows).toHaveLength(expectedRows);
        expect(new Set(rows.map((row) => row.split(',')[0]))).toEqual(
          new Set(['dev-0001', 'dev-0002', 'dev-0003']),
        );
        expect(new Set(rows.map((row) => row.split(',')[1]))).toEqual(new Set(['temperature', 'battery']));
        expect(
          (
            await new CookieJarClient().fetch(`${stack.appUrl}/bff/jobs/${id}/result`, {
              headers: csrfHeaders,
            })
          ).status,
        ).toBe(401);
      },
      TIMEOUT,
    );

    it('keeps a scheduled recalibration waiting for its time, and cancels it', async () => {
      const id = await start('recalibration', {
        selection: { site: 'no-such-site' },
        schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' },
      });
      const waiting = await waitFor(id, (job) => job.nextRunAt !== null, 'planned its next run');
      expect(waiting.status).toBe('running');
      const next = new Date(waiting.nextRunAt as string);
      expect(next.getTime()).toBeGreaterThan(Date.now());
      expect(
        new Intl.DateTimeFormat('en-GB', {
          timeZone: 'Europe/Berlin',
          hour: '2-digit',
          minute: '2-digit',
        }).format(next),
      ).toBe('03:00');
      const cancelled = await post(operator, `/bff/jobs/${id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(((await cancelled.json()) as JobSummary).status).toBe('cancelled');
    });
  });
}
