import { type AutomationApi, DeviceApiError } from './automation-api.ts';
import { mapLimited, runDeviceCommand } from './device-commands.ts';
import { devicesById, resolveSelection } from './device-selection.ts';
import type { JobHandler, Json } from './engine/index.ts';
import { checkpointOf, type JobKit } from './job-kit.ts';
import { firmwareRolloutParams } from './job-params.ts';

type RolloutCheckpoint = {
  devices: string[];
  /** The next batch to run (or the one under way when `inFlight`). */
  batch: number;
  /** Commands of `batch` may have been sent: a redo looks for them before sending any. */
  inFlight: boolean;
  done: number;
  attempted: number;
  failed: number;
  /** Set when the failure threshold stopped the rollout. */
  stopped: string | null;
};

interface DeviceOutcome {
  id: string;
  outcome: 'updated' | 'already_current' | 'failed' | 'offline';
  detail: Json;
}

/** Batch boundaries: the canary batch first (if any), then batches of `batchSize`. */
export function rolloutBatches(total: number, canary: number, batchSize: number): [number, number][] {
  const batches: [number, number][] = [];
  let start = 0;
  if (canary > 0 && total > 0) {
    batches.push([0, Math.min(canary, total)]);
    start = Math.min(canary, total);
  }
  for (; start < total; start += batchSize) batches.push([start, Math.min(start + batchSize, total)]);
  return batches;
}

/**
 * `firmware-rollout`: moves a selection to a firmware version in batches, canary first. Per device it
 * checks the reported version (already there: nothing sent), sends the update, and waits until the
 * device reports the outcome. Failed devices count against the threshold; offline ones are recorded
 * but not counted (the firmware is not at fault). Past the threshold the rollout stops and the
 * devices not reached are recorded as `not_attempted`.
 */
export function firmwareRolloutHandler(kit: JobKit): JobHandler {
  return async (context) => {
    const params = firmwareRolloutParams.parse(context.job.params);
    const api = kit.api(context.job);
    let cp = checkpointOf<RolloutCheckpoint>(context);
    if (!cp) {
      const devices = await resolveSelection(api, params.selection);
      context.setTotal(devices.length);
      context.recordEvent('selection_resolved', { devices: devices.length });
      cp = { devices, batch: 0, inFlight: false, done: 0, attempted: 0, failed: 0, stopped: null };
      await context.saveCheckpoint(cp, 0);
    }
    if (cp.stopped) throw new Error(cp.stopped);
    const batches = rolloutBatches(cp.devices.length, params.canary, params.batchSize);
    const isCanary = (batch: number) => batch === 0 && params.canary > 0;
    for (let batch = cp.batch; batch < batches.length; batch++) {
      const [start, end] = batches[batch] as [number, number];
      const ids = cp.devices.slice(start, end);
      const recheck = cp.inFlight && cp.batch === batch;
      if (!recheck) {
        context.recordEvent('batch_started', {
          batch: batch + 1,
          of: batches.length,
          devices: ids.length,
          canary: isCanary(batch),
        });
        cp = { ...cp, batch, inFlight: true };
        await context.saveCheckpoint(cp, cp.done);
      }
      const states = await devicesById(api, ids);
      const jobId = context.job.id;
      const outcomes = await mapLimited(ids, kit.concurrency, async (id): Promise<DeviceOutcome> => {
        const state = states.get(id);
        if (!state) return { id, outcome: 'failed', detail: { reason: 'not_found' } };
        if (state.firmwareVersion === params.version) {
          if (recheck && (await updatedByThisJob(api, jobId, id, params.version))) {
            return { id, outcome: 'updated', detail: { to: params.version } };
          }
          return { id, outcome: 'already_current', detail: { version: params.version } };
        }
        if (state.status === 'offline') return { id, outcome: 'offline', detail: null };
        const result = await runDeviceCommand(
          api,
          id,
          { type: 'firmware-update', version: params.version },
          { jobId, recheck, timing: kit.timing },
        );
        if (result.outcome === 'completed')
          return {
            id,
            outcome: 'updated',
            detail: { from: state.firmwareVersion ?? null, to: params.version },
          };
        if (result.outcome === 'offline') return { id, outcome: 'offline', detail: null };
        return { id, outcome: 'failed', detail: { reason: result.reason } };
      });
      let attempted: number = cp.attempted;
      let failed: number = cp.failed;
      for (const item of outcomes) {
        context.recordItem(item.id, item.outcome, item.detail);
        if (item.outcome === 'updated' || item.outcome === 'failed') attempted += 1;
        if (item.outcome === 'failed') failed += 1;
      }
      const done: number = cp.done + ids.length;
      if (attempted > 0 && failed / attempted > params.failureThreshold) {
        const stopped = `Stopped after ${isCanary(batch) ? 'the canary batch' : `batch ${batch + 1}`}: ${failed} of ${attempted} devices failed (threshold ${Math.round(params.failureThreshold * 100)} %).`;
        for (const id of cp.devices.slice(end)) context.recordItem(id, 'not_attempted', null);
        context.recordEvent('threshold_reached', {
          batch: batch + 1,
          failed,
          attempted,
          threshold: params.failureThreshold,
        });
        cp = {
          ...cp,
          batch: batches.length,
          inFlight: false,
          done: cp.devices.length,
          attempted,
          failed,
          stopped,
        };
        await context.saveCheckpoint(cp, cp.devices.length).catch(rethrowUnlessPaused);
        throw new Error(stopped);
      }
      if (isCanary(batch)) context.recordEvent('canary_passed', { failed, attempted });
      cp = { ...cp, batch: batch + 1, inFlight: false, done, attempted, failed };
      await context.saveCheckpoint(cp, done);
    }
  };
}

/** Time or shutdown may interrupt the last save; the stop is recorded either way. */
function rethrowUnlessPaused(error: unknown): void {
  if (error instanceof Error && 'why' in error && (error.why === 'slice_over' || error.why === 'stopping'))
    return;
  throw error;
}

async function updatedByThisJob(
  api: AutomationApi,
  jobId: string,
  deviceId: string,
  version: string,
): Promise<boolean> {
  try {
    const { items } = await api.get<{
      items: { jobId?: string; type: string; version?: string; status: string }[];
    }>(`/devices/${encodeURIComponent(deviceId)}/commands`);
    return items.some(
      (command) =>
        command.jobId === jobId &&
        command.type === 'firmware-update' &&
        command.version === version &&
        command.status === 'completed',
    );
  } catch (error) {
    if (error instanceof DeviceApiError && error.status === 404) return false;
    throw error;
  }
}
