import { type AutomationApi, DeviceApiError } from './automation-api.ts';

/** A command as the device API reports it (the fields jobs use). */
interface DeviceCommand {
  id: string;
  type: string;
  status: 'pending' | 'completed' | 'failed';
  version?: string;
  jobId?: string;
  failureReason?: string;
}

export type CommandRequest = { type: 'recalibrate' } | { type: 'firmware-update'; version: string };

export type CommandOutcome =
  | { outcome: 'completed'; commandId: string }
  | { outcome: 'failed'; commandId?: string; reason: string }
  | { outcome: 'offline' };

export interface CommandTiming {
  /** Between two looks at a pending command. */
  pollMs: number;
  /** A command still pending after this long counts as failed (`timeout`). */
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

const sameCommand = (command: DeviceCommand, request: CommandRequest, jobId: string) =>
  command.jobId === jobId &&
  command.type === request.type &&
  (request.type !== 'firmware-update' || command.version === request.version);

async function commandsOf(api: AutomationApi, deviceId: string): Promise<DeviceCommand[]> {
  return (await api.get<{ items: DeviceCommand[] }>(`/devices/${encodeURIComponent(deviceId)}/commands`))
    .items;
}

/**
 * Sends one command to a device and waits for its outcome. Idempotent across a crash: with
 * `recheck` (the step is being redone) it first looks for this job's own command on the device and
 * waits for that one instead of sending another, so no device gets the same command twice.
 */
export async function runDeviceCommand(
  api: AutomationApi,
  deviceId: string,
  request: CommandRequest,
  context: { jobId: string; recheck: boolean; timing: CommandTiming },
): Promise<CommandOutcome> {
  const { timing } = context;
  const deadline = timing.now() + timing.timeoutMs;
  let commandId: string | undefined;
  if (context.recheck) {
    const earlier = (await commandsOf(api, deviceId)).find((command) =>
      sameCommand(command, request, context.jobId),
    );
    if (earlier) commandId = earlier.id;
  }
  while (commandId === undefined) {
    try {
      const sent = await api.post<DeviceCommand>(
        `/devices/${encodeURIComponent(deviceId)}/commands`,
        request,
      );
      commandId = sent.id;
    } catch (error) {
      if (!(error instanceof DeviceApiError) || error.status !== 409) throw error;
      if (error.code === 'device_offline') return { outcome: 'offline' };
      // Another command (a person's reboot) is running on the device: ours goes after it.
      if (timing.now() >= deadline) return { outcome: 'failed', reason: 'device_busy' };
      await timing.sleep(timing.pollMs);
    }
  }
  for (;;) {
    const command = (await commandsOf(api, deviceId)).find((candidate) => candidate.id === commandId);
    if (command?.status === 'completed') return { outcome: 'completed', commandId };
    if (command?.status === 'failed') {
      if (command.failureReason === 'device_offline') return { outcome: 'offline' };
      return { outcome: 'failed', commandId, reason: command.failureReason ?? 'failed' };
    }
    if (!command) return { outcome: 'failed', commandId, reason: 'command_lost' };
    if (timing.now() >= deadline) return { outcome: 'failed', commandId, reason: 'timeout' };
    await timing.sleep(timing.pollMs);
  }
}

/**
 * Runs `work` over `items` with at most `limit` at a time, keeping the input order in the answer.
 * After the first failure no new item starts; the ones under way finish, then the failure is thrown
 * (a pausing job must not leave commands being sent behind it).
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(lanes);
  if (failure) throw failure.error;
  return results;
}
