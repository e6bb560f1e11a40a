import { createHash } from 'node:crypto';
import { mapLimited, runDeviceCommand } from './device-commands.ts';
import { devicesById, resolveSelection } from './device-selection.ts';
import type { JobHandler, Json } from './engine/index.ts';
import { checkpointOf, type JobKit } from './job-kit.ts';
import { recalibrationParams, scheduledRunParams } from './job-params.ts';
import { nextOccurrence } from './schedule.ts';

type RunCheckpoint = { devices: string[]; next: number; inFlight: boolean };
type ScheduleCheckpoint = { lastOccurrence: string | null; runs: number; nextRunAt: string | null };

const BATCH = 50;

/** The same id for the same occurrence of a schedule, so a redone step never starts a run twice. */
export function scheduledRunId(scheduleId: string, occurrence: string): string {
  const hex = createHash('sha256').update(`${scheduleId}|${occurrence}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * `recalibration`: recalibrates a selection now, or, with a schedule, starts a run at each
 * occurrence of its cron expression in its time zone. A schedule is a job that stays `running` and
 * sleeps between occurrences holding no worker; each run is a job of its own, attributed to the
 * person who created the schedule and executed by the service account.
 */
export function recalibrationHandler(kit: JobKit, now: () => number = Date.now): JobHandler {
  return async (context) => {
    const params = recalibrationParams.or(scheduledRunParams).parse(context.job.params);
    if ('schedule' in params && params.schedule) {
      const schedule = params.schedule;
      const cp = checkpointOf<ScheduleCheckpoint>(context) ?? {
        lastOccurrence: null,
        runs: 0,
        nextRunAt: null,
      };
      const after = cp.lastOccurrence ? new Date(cp.lastOccurrence) : context.job.createdAt;
      let occurrence = nextOccurrence(schedule, after);
      if (occurrence.getTime() > now()) {
        await context.waitUntil(occurrence, { ...cp, nextRunAt: occurrence.toISOString() }, cp.runs);
      }
      // Down across several occurrences: run once for the latest, not once for each missed one.
      let missed = 0;
      for (
        let later = nextOccurrence(schedule, occurrence);
        later.getTime() <= now();
        later = nextOccurrence(schedule, later)
      ) {
        occurrence = later;
        missed += 1;
      }
      const at = occurrence.toISOString();
      const run = await kit.enqueue({
        id: scheduledRunId(context.job.id, at),
        type: 'recalibration',
        params: { selection: params.selection, scheduleId: context.job.id, occurrence: at },
        initiatedBy: {
          sub: context.job.initiatedBy.sub,
          ...(context.job.initiatedBy.name ? { name: context.job.initiatedBy.name } : {}),
          ...(context.job.initiatedBy.sessionId ? { sessionId: context.job.initiatedBy.sessionId } : {}),
        },
        permissionChecked: `${context.job.permissionChecked} (checked when the schedule was created)`,
      });
      context.recordEvent('run_started', {
        jobId: run.id,
        occurrence: at,
        ...(missed > 0 ? { missed } : {}),
      });
      const following = nextOccurrence(schedule, occurrence);
      const next: ScheduleCheckpoint = {
        lastOccurrence: at,
        runs: cp.runs + 1,
        nextRunAt: following.toISOString(),
      };
      await context.waitUntil(following, next, next.runs);
      return;
    }
    const api = kit.api(context.job);
    let cp = checkpointOf<RunCheckpoint>(context);
    if (!cp) {
      const devices = await resolveSelection(api, params.selection);
      context.setTotal(devices.length);
      context.recordEvent('selection_resolved', { devices: devices.length });
      cp = { devices, next: 0, inFlight: false };
      await context.saveCheckpoint(cp, 0);
    }
    while (cp.next < cp.devices.length) {
      const ids = cp.devices.slice(cp.next, cp.next + BATCH);
      const recheck = cp.inFlight;
      if (!recheck) {
        cp = { ...cp, inFlight: true };
        await context.saveCheckpoint(cp, cp.next);
      }
      const states = await devicesById(api, ids);
      const outcomes = await mapLimited(ids, kit.concurrency, async (id): Promise<[string, string, Json]> => {
        const state = states.get(id);
        if (!state) return [id, 'failed', { reason: 'not_found' }];
        if (state.status === 'offline' && !recheck) return [id, 'offline', null];
        const result = await runDeviceCommand(
          api,
          id,
          { type: 'recalibrate' },
          {
            jobId: context.job.id,
            recheck,
            timing: kit.timing,
          },
        );
        if (result.outcome === 'completed') return [id, 'recalibrated', { commandId: result.commandId }];
        if (result.outcome === 'offline') return [id, 'offline', null];
        return [id, 'failed', { reason: result.reason }];
      });
      for (const [id, outcome, detail] of outcomes) context.recordItem(id, outcome, detail);
      cp = { ...cp, next: cp.next + ids.length, inFlight: false };
      await context.saveCheckpoint(cp, cp.next);
    }
  };
}
