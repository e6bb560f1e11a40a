import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { AuditLog } from '../audit.ts';
import { BffError } from '../errors.ts';
import type { SessionData } from '../session/index.ts';
import type { SessionTokensFactory } from '../tokens/index.ts';
import { type JobStatus, JobsError, jobStatuses } from './engine/index.ts';
import { describeIssue, jobTypes, paramsSchemas } from './job-params.ts';
import { eventView, itemView, jobSummary } from './job-view.ts';
import type { JobsService } from './jobs-service.ts';
import { nextOccurrence, ScheduleError } from './schedule.ts';

/** The scope that lets a person start, cancel and resume jobs. */
export const JOBS_RUN_SCOPE = 'jobs:run';
/** The scope a job's result needs (it is device data). */
const DEVICES_READ_SCOPE = 'devices:read';

export interface JobsRouteDeps {
  /** Undefined: automation is not configured (no service-account secret). */
  jobs: JobsService | undefined;
  sessionTokens: SessionTokensFactory;
  audit: AuditLog;
}

const hasScope = (session: SessionData, scope: string) => (session.scope ?? '').split(' ').includes(scope);

function requireScope(session: SessionData, scope: string, doing: string): void {
  if (!hasScope(session, scope)) {
    throw new BffError('insufficient_scope', 403, `${doing} needs the ${scope} permission (operators).`);
  }
}

function service(deps: JobsRouteDeps) {
  if (!deps.jobs) {
    throw new BffError(
      'jobs_unavailable',
      503,
      'Automation jobs are not configured on this server (AUTOMATION_CLIENT_SECRET is not set).',
      { 'retry-after': '3600' },
    );
  }
  return deps.jobs.runner();
}

const listQuery = z
  .object({
    status: z.enum(jobStatuses).optional(),
    type: z.enum(jobTypes).optional(),
    mine: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

const detailQuery = z
  .object({
    itemsOffset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    itemsLimit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const startBody = z.object({ type: z.string(), params: z.unknown() }).strict();
const jobId = z.uuid();

function parseOrBadRequest<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BffError('bad_request', 400, describeIssue(parsed.error));
  return parsed.data;
}

function idParam(c: Context): string {
  const id = c.req.param('id') ?? '';
  if (!jobId.safeParse(id).success) throw new BffError('not_found', 404, `No job ${id}.`);
  return id;
}

function conflictOrRethrow(error: unknown, doing: string): never {
  if (error instanceof JobsError && error.code === 'illegal_transition') {
    throw new BffError('conflict', 409, `The job cannot be ${doing} in its current state.`);
  }
  if (error instanceof JobsError && error.code === 'job_not_found')
    throw new BffError('not_found', 404, 'No such job.');
  throw error;
}

/**
 * `/bff/jobs`: start, list, inspect, cancel and resume automation jobs, and download their results.
 * The person's session authorizes and is recorded; the job itself runs on the service account.
 */
export function jobsRoute(deps: JobsRouteDeps) {
  const app = new Hono();
  const session = async (c: Context) => (await deps.sessionTokens(c)).session;

  app.post(
    '/',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw new BffError('payload_too_large', 413, 'The request is larger than 64 KB.');
      },
    }),
    async (c) => {
      const user = await session(c);
      requireScope(user, JOBS_RUN_SCOPE, 'Starting a job');
      const runner = service(deps);
      const raw = await c.req.json().catch(() => {
        throw new BffError('bad_request', 400, 'The body must be JSON: { type, params }.');
      });
      const body = parseOrBadRequest(startBody, raw);
      if (!(jobTypes as readonly string[]).includes(body.type)) {
        throw new BffError('bad_request', 400, `type: one of ${jobTypes.join(', ')}`);
      }
      const type = body.type as (typeof jobTypes)[number];
      const params = parseOrBadRequest(
        paramsSchemas[type] as z.ZodType<Record<string, unknown>>,
        body.params,
      );
      if (type === 'recalibration' && params.schedule) {
        try {
          nextOccurrence(params.schedule as { cron: string; timezone: string }, new Date());
        } catch (error) {
          if (error instanceof ScheduleError) throw new BffError('bad_request', 400, error.message);
          throw error;
        }
      }
      const job = await runner.enqueue({
        type,
        params: JSON.parse(JSON.stringify(params)),
        initiatedBy: { sub: user.sub, name: user.name, ...(user.sid ? { sessionId: user.sid } : {}) },
        permissionChecked: JOBS_RUN_SCOPE,
      });
      deps.audit.record('job_started', { jobId: job.id, type, sub: user.sub, sid: user.sid ?? null });
      return c.json({ id: job.id }, 202);
    },
  );

  app.get('/', async (c) => {
    const user = await session(c);
    const runner = service(deps);
    const query = parseOrBadRequest(listQuery, c.req.query());
    const filter = {
      ...(query.status ? { status: query.status as JobStatus } : {}),
      ...(query.type ? { type: query.type } : {}),
      ...(query.mine === 'true' ? { initiatedBySub: user.sub } : {}),
    };
    const [jobs, total] = await Promise.all([
      runner.store.list({ ...filter, limit: query.limit, offset: query.offset }),
      runner.store.count(filter),
    ]);
    const counts = await runner.store.outcomeCounts(jobs.map((job) => job.id));
    return c.json({ items: jobs.map((job) => jobSummary(job, counts.get(job.id))), total });
  });

  app.get('/:id', async (c) => {
    await session(c);
    const runner = service(deps);
    const id = idParam(c);
    const query = parseOrBadRequest(detailQuery, c.req.query());
    const job = await runner.store.get(id);
    if (!job) throw new BffError('not_found', 404, `No job ${id}.`);
    const [items, itemTotal, events, counts] = await Promise.all([
      runner.store.items(id, { offset: query.itemsOffset, limit: query.itemsLimit }),
      runner.store.itemCount(id),
      runner.store.events(id),
      runner.store.outcomeCounts([id]),
    ]);
    return c.json({
      ...jobSummary(job, counts.get(id)),
      params: job.params,
      items: {
        entries: items.map(itemView),
        total: itemTotal,
        offset: query.itemsOffset,
        limit: query.itemsLimit,
      },
      events: events.map(eventView),
    });
  });

  for (const action of ['cancel', 'resume'] as const) {
    app.post(`/:id/${action}`, async (c) => {
      const user = await session(c);
      // Checked again on every action: the person resuming may not be the one who started it.
      requireScope(user, JOBS_RUN_SCOPE, action === 'cancel' ? 'Cancelling a job' : 'Resuming a job');
      const runner = service(deps);
      const id = idParam(c);
      const by = { sub: user.sub, name: user.name };
      const job = await (action === 'cancel'
        ? runner.cancel(id, by)
        : runner.resume(id, by, { permissionChecked: JOBS_RUN_SCOPE, sessionId: user.sid ?? null })
      ).catch((error: unknown) => conflictOrRethrow(error, action === 'cancel' ? 'cancelled' : 'resumed'));
      deps.audit.record(action === 'cancel' ? 'job_cancelled' : 'job_resumed', { jobId: id, sub: user.sub });
      const counts = await runner.store.outcomeCounts([id]);
      return c.json(jobSummary(job, counts.get(id)));
    });
  }

  app.get('/:id/result', async (c) => {
    const user = await session(c);
    requireScope(user, DEVICES_READ_SCOPE, 'Downloading device data');
    const runner = service(deps);
    const id = idParam(c);
    const result = await runner.store.result(id);
    if (!result) throw new BffError('not_found', 404, 'This job has no result (yet).');
    const job = await runner.store.get(id);
    const extension = result.contentType.startsWith('text/csv') ? 'csv' : 'bin';
    c.header('content-type', result.contentType);
    c.header(
      'content-disposition',
      `attachment; filename="${job?.type ?? 'job'}-${id.slice(0, 8)}.${extension}"`,
    );
    c.header('x-content-type-options', 'nosniff');
    return c.body(new Uint8Array(result.body));
  });

  return app;
}

/** How long one event stream stays open: the browser reconnects, and the session is checked again. */
const STREAM_LIFETIME_MS = 10 * 60 * 1000;
const KEEP_ALIVE_MS = 25_000;

/**
 * `GET /bff/events`: server-sent events for the signed-in user (`job`, `notification`). Sent to
 * fetch-based readers (the `X-CSRF` header rules out `EventSource`).
 */
export function eventsRoute(deps: JobsRouteDeps) {
  return new Hono().get('/', async (c) => {
    const user = (await deps.sessionTokens(c)).session;
    const jobs = deps.jobs;
    if (!jobs) service(deps);
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      let closed = false;
      const unsubscribe = jobs?.events.subscribe(user.sub, (event) => {
        if (!closed) void stream.writeSSE({ event: event.type, data: JSON.stringify(event.data) });
      });
      stream.onAbort(() => {
        closed = true;
        unsubscribe?.();
      });
      await stream.write(': connected\n\n');
      const endAt = Date.now() + STREAM_LIFETIME_MS;
      while (!closed && Date.now() < endAt) {
        await stream.sleep(Math.min(KEEP_ALIVE_MS, endAt - Date.now()));
        if (!closed) await stream.write(': keep-alive\n\n');
      }
      closed = true;
      unsubscribe?.();
    });
  });
}
