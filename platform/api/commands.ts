// Device commands: a bounded log of recent commands whose progress is derived from time. A command
// takes a fixed time to run and fails if the device is offline when it is due. Commands do not
// change the simulated readings or status (a reboot does not show the device offline), so every
// instance of the API keeps serving identical telemetry.
import { ApiError } from './api-error.ts';
import { BoundedMap } from './bounded-map.ts';
import type { Device } from './fleet.ts';
import { isReporting } from './schedule.ts';

export type CommandType = 'reboot' | 'recalibrate';
export const COMMAND_TYPES: readonly CommandType[] = ['reboot', 'recalibrate'];
export type CommandStatus = 'pending' | 'completed' | 'failed';

export const COMMAND_DURATION_MS: Record<CommandType, number> = {
  reboot: 30_000,
  recalibrate: 10_000,
};

const MAX_COMMANDS = 1_000;

/** Who a command was really for, when automation sent it on a person's behalf. */
export interface CommandAttribution {
  /** The automation job that sent it (`X-Job-Id`). */
  jobId?: string;
  /** The person who started that job (`X-Initiated-By`). */
  initiatedBy?: string;
}

export interface CommandRecord extends CommandAttribution {
  id: string;
  deviceId: string;
  type: CommandType;
  /** The access token's subject: a user, or the service account's client. */
  issuedBy: string;
  issuedAt: number;
  dueAt: number;
}

export interface CommandView {
  id: string;
  deviceId: string;
  type: CommandType;
  status: CommandStatus;
  issuedBy: string;
  jobId?: string;
  initiatedBy?: string;
  issuedAt: string;
  completedAt?: string;
  failureReason?: 'device_offline';
}

export function viewCommand(record: CommandRecord, device: Device, now: number): CommandView {
  const base = {
    id: record.id,
    deviceId: record.deviceId,
    type: record.type,
    issuedBy: record.issuedBy,
    ...(record.jobId === undefined ? {} : { jobId: record.jobId }),
    ...(record.initiatedBy === undefined ? {} : { initiatedBy: record.initiatedBy }),
    issuedAt: new Date(record.issuedAt).toISOString(),
  };
  if (now < record.dueAt) return { ...base, status: 'pending' };
  if (!isReporting(device, record.dueAt))
    return { ...base, status: 'failed', failureReason: 'device_offline' };
  return { ...base, status: 'completed', completedAt: new Date(record.dueAt).toISOString() };
}

export class CommandLog {
  readonly #records: BoundedMap<string, CommandRecord>;

  constructor(maxCommands = MAX_COMMANDS) {
    this.#records = new BoundedMap(maxCommands);
  }

  /** Recent commands for the device, newest first. */
  forDevice(deviceId: string, limit = 20): CommandRecord[] {
    const records = [...this.#records.values()].filter((r) => r.deviceId === deviceId);
    return records.reverse().slice(0, limit);
  }

  /** Rejects with 409 when the device is offline or still busy with an earlier command. */
  issue(
    device: Device,
    type: CommandType,
    issuedBy: string,
    now: number,
    attribution: CommandAttribution = {},
  ): CommandRecord {
    if (!isReporting(device, now)) {
      throw new ApiError(409, 'device_offline', `${device.id} is offline and cannot take commands`);
    }
    const pending = this.forDevice(device.id, 1).find((r) => now < r.dueAt);
    if (pending) {
      throw new ApiError(409, 'command_in_progress', `${device.id} is still running command ${pending.id}`);
    }
    const record: CommandRecord = {
      id: `cmd-${crypto.randomUUID()}`,
      deviceId: device.id,
      type,
      issuedBy,
      ...attribution,
      issuedAt: now,
      dueAt: now + COMMAND_DURATION_MS[type],
    };
    this.#records.set(record.id, record);
    return record;
  }
}
