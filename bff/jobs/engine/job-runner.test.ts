import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobsDatabase, openJobsDatabase } from './database.ts';
import { JobPause, JobRunner, type JobRunner as JobRunnerType, type StepContext } from './job-runner.ts';
import type { JobRecord } from './job-store.ts';
import type { JobStatus } from './transitions.ts';

/**
 * One database per suite (PGlite's cold start with pg-boss takes seconds). The PostgreSQL variant
 * runs only when TEST_DATABASE_URL names a database it may create tables in.
 */
const databaseUrl = process.env.TEST_DATABASE_URL;
const operator = { sub: 'operator-1', name: 'Olive Operator' };

/** What a test makes the handler do at the start of a step, per job. */
type StepHook = (context: StepContext, stepStart: number) => Promise<void> | void;
const stepHooks = new Map<string, StepHook>();
/** How many times the handler handled each item of each job: the "never twice" evidence. */
const handled = new Map<string, Map<string, number>>();

const STEP_SIZE = 5;

/** A job over `count` devices, STEP_SIZE per checkpointed step; every 7th device fails. */
async function deviceItemsHandler(context: StepContext): Promise<void> {
  const { count } = context.job.params as { count: number };
  const checkpoint = context.checkpoint as { next: number } | null;
  let next = checkpoint?.next ?? 0;
  context.setTotal(count);
  const counts = handled.get(context.job.id) ?? new Map<string, number>();
  handled.set(context.job.id, counts);
  while (next < count) {
    await stepHooks.get(context.job.id)?.(context, next);
    const end = Math.min(next + STEP_SIZE, count);
    for (let index = next; index < end; index += 1) {
      const key = `device-${String(index).padStart(3, '0')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      context.recordItem(key, index % 7 === 0 ? 'failed' : 'updated', { index });
    }
    next = end;
    await context.saveCheckpoint({ next }, next);
  }
}

/** The whole suite, on PGlite in a temp folder or on the PostgreSQL at `url`. */
function engineSuite(url: string | undefined): void {
  let folder: string;
  let db: JobsDatabase;
  let runner: JobRunnerType;
  const changes: JobRecord[] = [];
  const errors: unknown[] = [];

  function newRunner(): JobRunnerType {
    const created = new JobRunner({
      db,
      expireInSeconds: 2,
      sliceSeconds: 0.25,
      idpRetryDelaySeconds: 1,
      maintenanceIntervalSeconds: 1,
      pollingIntervalSeconds: 0.5,
      onChange: (job) => changes.push(job),
      onError: (error) => errors.push(error),
    });
    created.register('device-items', deviceItemsHandler);
    return created;
  }

  async function waitForStatus(id: string, status: JobStatus, timeoutMs = 20_000): Promise<JobRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await runner.store.get(id);
      if (job?.status === status) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} is ${job?.status}, not ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  function gate(): { reached: Promise<void>; open: () => void; wait: () => Promise<void> } {
    let reach: () => void = () => {};
    let open: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      reach = resolve;
    });
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    return {
      reached,
      open,
      wait: () => {
        reach();
        return opened;
      },
    };
  }

  function enqueue(count: number): Promise<JobRecord> {
    return runner.enqueue({
      type: 'device-items',
      params: { count },
      initiatedBy: { sub: operator.sub, name: operator.name, sessionId: 'session-1' },
      permissionChecked: 'jobs:run',
    });
  }

  function expectEachHandledOnce(id: string, count: number): void {
    const counts = handled.get(id) ?? new Map();
    expect(counts.size).toBe(count);
    expect([...counts.values()].filter((times) => times !== 1)).toEqual([]);
  }

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'jobs-engine-'));
    db = await openJobsDatabase(url ? { databaseUrl: url } : { dataDir: folder });
    runner = newRunner();
    await runner.start();
  }, 90_000);

  afterAll(async () => {
    await runner?.stop().catch(() => {});
    await db?.close();
    rmSync(folder, { recursive: true, force: true });
  }, 30_000);

  it('runs a 50-item job to completion with per-item outcomes, progress and an audit trail', async () => {
    const job = await enqueue(50);
    expect(job.status).toBe('queued');
    const done = await waitForStatus(job.id, 'completed');
    expect(done.progress).toEqual({ done: 50, total: 50 });
    const items = await runner.store.items(job.id);
    expect(items).toHaveLength(50);
    expect(items.filter((item) => item.outcome === 'failed').map((item) => item.key)).toEqual(
      [0, 7, 14, 21, 28, 35, 42, 49].map((index) => `device-${String(index).padStart(3, '0')}`),
    );
    expectEachHandledOnce(job.id, 50);
    const progressSeen = changes
      .filter((change) => change.id === job.id)
      .map((change) => change.progress.done);
    expect(progressSeen).toEqual([...progressSeen].sort((a, b) => a - b));
    expect(progressSeen).toContain(25);
    const events = await runner.store.events(job.id);
    expect(events[0]).toMatchObject({
      kind: 'created',
      by: operator.sub,
      detail: { params: { count: 50 }, permissionChecked: 'jobs:run', sessionId: 'session-1' },
    });
    expect(events.map((event) => event.kind)).toEqual(['created', 'started', 'completed']);
    expect(errors).toEqual([]);
  });

  it('refuses an illegal transition and writes no event for it', async () => {
    const job = await enqueue(5);
    await waitForStatus(job.id, 'completed');
    const eventsBefore = await runner.store.events(job.id);
    await expect(runner.store.transition(job.id, 'running', { by: operator })).rejects.toMatchObject({
      code: 'illegal_transition',
    });
    await expect(runner.resume(job.id, operator)).rejects.toMatchObject({ code: 'illegal_transition' });
    await expect(runner.cancel(job.id, operator)).rejects.toMatchObject({ code: 'illegal_transition' });
    expect(await runner.store.events(job.id)).toEqual(eventsBefore);
    expect((await runner.store.get(job.id))?.status).toBe('completed');
  });

  it('pauses on refused credentials, waits for a person, and resumes from the checkpoint', async () => {
    const job = await enqueue(50);
    let refusals = 0;
    stepHooks.set(job.id, (_context, stepStart) => {
      if (stepStart === 25 && refusals === 0) {
        refusals += 1;
        throw new JobPause('credentials', 'invalid_client');
      }
    });
    const paused = await waitForStatus(job.id, 'paused');
    expect(paused.pausedReason).toBe('credentials');
    expect(paused.progress.done).toBe(25);
    // Longer than the automatic retry delay: a credentials pause must not resume by itself.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await runner.store.get(job.id))?.status).toBe('paused');

    await runner.resume(job.id, operator);
    const done = await waitForStatus(job.id, 'completed');
    expect(done.pausedReason).toBeNull();
    expect(await runner.store.items(job.id)).toHaveLength(50);
    expectEachHandledOnce(job.id, 50);
    const events = await runner.store.events(job.id);
    expect(events.find((event) => event.kind === 'paused')).toMatchObject({
      by: null,
      detail: { reason: 'credentials' },
    });
    expect(events.find((event) => event.kind === 'resumed')).toMatchObject({
      by: operator.sub,
      detail: { byName: operator.name },
    });
  });

  it('resumes an idp_unavailable pause by itself', async () => {
    const job = await enqueue(20);
    let outages = 0;
    stepHooks.set(job.id, (_context, stepStart) => {
      if (stepStart === 10 && outages === 0) {
        outages += 1;
        throw new JobPause('idp_unavailable');
      }
    });
    await waitForStatus(job.id, 'completed');
    expect(changes.some((change) => change.id === job.id && change.pausedReason === 'idp_unavailable')).toBe(
      true,
    );
    expectEachHandledOnce(job.id, 20);
    const resumed = (await runner.store.events(job.id)).find((event) => event.kind === 'resumed');
    expect(resumed).toMatchObject({ by: null, detail: { automatic: true } });
  });

  it('stops a cancelled job at its next checkpoint and records who cancelled it', async () => {
    const job = await enqueue(50);
    const atStep20 = gate();
    stepHooks.set(job.id, (_context, stepStart) => (stepStart === 20 ? atStep20.wait() : undefined));
    await atStep20.reached;
    await runner.cancel(job.id, operator);
    atStep20.open();
    // The step in flight may commit its items; nothing after it runs.
    await expect.poll(async () => (await runner.store.items(job.id)).length, { timeout: 10_000 }).toBe(25);
    const cancelled = await waitForStatus(job.id, 'cancelled');
    expect(cancelled.progress.done).toBe(25);
    expect(handled.get(job.id)?.size).toBe(25);
    const events = await runner.store.events(job.id);
    expect(events.at(-1)).toMatchObject({ kind: 'cancelled', by: operator.sub });
    expect(events.some((event) => event.kind === 'completed')).toBe(false);
  });

  it('continues a job from its checkpoint after its runner was cut off mid-run', async () => {
    const job = await enqueue(50);
    const atStep30 = gate();
    let cutOff = false;
    stepHooks.set(job.id, (_context, stepStart) => {
      if (stepStart === 30 && !cutOff) {
        cutOff = true;
        return atStep30.wait();
      }
    });
    await atStep30.reached;
    expect((await runner.store.get(job.id))?.progress.done).toBe(30);

    const first = runner;
    await first.abandon();
    runner = newRunner();
    await runner.start();
    const done = await waitForStatus(job.id, 'completed', 30_000);
    expect(done.progress.done).toBe(50);
    expectEachHandledOnce(job.id, 50);
    const kinds = (await runner.store.events(job.id)).map((event) => event.kind);
    expect(kinds).toContain('recovered');

    // The cut-off handler wakes up late: its checkpoint is refused, the job stays as it is.
    atStep30.open();
    await expect.poll(() => handled.get(job.id)?.get('device-030'), { timeout: 5000 }).toBe(2);
    expect(await runner.store.items(job.id)).toHaveLength(50);
    expect((await runner.store.get(job.id))?.status).toBe('completed');
  }, 45_000);

  it.skipIf(Boolean(url))('refuses to open the same PGlite folder twice and frees it on close', async () => {
    await expect(openJobsDatabase({ dataDir: folder })).rejects.toMatchObject({
      code: 'jobs_database_locked',
      message: expect.stringContaining(join(folder, 'jobs')),
    });
    await runner.stop();
    await db.close();
    expect(existsSync(`${join(folder, 'jobs')}.lock`)).toBe(false);
  });
}

describe('jobs engine on PGlite', () => engineSuite(undefined));

describe.skipIf(!databaseUrl)(
  `jobs engine on PostgreSQL${databaseUrl ? '' : ' (skipped: set TEST_DATABASE_URL to a PostgreSQL database to run it)'}`,
  () => engineSuite(databaseUrl),
);
