// Device commands, whose progress is derived from time: a command takes its type's configured time and
// fails if the device is offline when it is due. Nothing runs in the background: a command's state is
// computed on read and its effect (a firmware update's new version) settled on access, so issuing
// 10,000 instant updates costs 10,000 map writes and no timers.
// Only firmware updates change what a device reports (its firmwareVersion); a reboot does not show the
// device offline, so every instance of the API keeps serving identical telemetry.
import { ApiError } from './api-error.ts';
import { BoundedMap } from './bounded-map.ts';
import type { Device } from './fleet.ts';
import { hashString, unit } from './hash.ts';
import { isReporting } from './schedule.ts';

export type CommandType = 'reboot' | 'recalibrate' | 'firmware-update';
export const COMMAND_TYPES: readonly CommandType[] = ['reboot', 'recalibrate', 'firmware-update'];
export type CommandStatus = 'pending' | 'completed' | 'failed';
export type CommandFailureReason = 'device_offline' | 'update_failed';

/** What a caller asks a device to do; only a firmware update names a target. */
export type CommandRequest =
  | { type: 'reboot' }
  | { type: 'recalibrate' }
  | { type: 'firmware-update'; version: string };

export const DEFAULT_COMMAND_DURATION_MS: Readonly<Record<CommandType, number>> = {
  reboot: 30_000,
  recalibrate: 10_000,
  'firmware-update': 20_000,
};
export const DEFAULT_FIRMWARE_FAILURE_RATE = 0.05;
/** Firmware versions callers may ask for: `2.4.1`, `3.0.0-rc_1`, … */
export const FIRMWARE_VERSION_PATTERN = /^[0-9A-Za-z._-]{1,32}$/;

const MAX_RECENT_COMMANDS = 1_000;
const FIRMWARE_FAILURE_SALT = 0xf1a5;

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
  /** Target of a firmware update; absent for other types. */
  version?: string;
  /** The access token's subject: a user, or the service account's client. */
  issuedBy: string;
  issuedAt: number;
  dueAt: number;
  /** Set when the update is fated to fail (decided at issue, deterministically). */
  rejected?: true;
}

export interface CommandView {
  id: string;
  deviceId: string;
  type: CommandType;
  version?: string;
  status: CommandStatus;
  issuedBy: string;
  jobId?: string;
  initiatedBy?: string;
  issuedAt: string;
  completedAt?: string;
  failureReason?: CommandFailureReason;
}

export interface CommandSettings {
  /** How long each type takes, ms; 0 completes at once. */
  durationsMs: Readonly<Record<CommandType, number>>;
  /** Share of (device, version) pairs whose update fails, 0..1. */
  firmwareFailureRate: number;
}

/**
 * Whether `device` fails an update to `version`: a pure function of (device index, version) and the
 * rate, so every instance fails the same devices, and a lower rate fails a subset of a higher one's.
 */
export function firmwareUpdateFails(device: Device, version: string, failureRate: number): boolean {
  return unit(FIRMWARE_FAILURE_SALT, device.index, hashString(version)) < failureRate;
}

type Outcome =
  | { status: 'pending' }
  | { status: 'completed' }
  | { status: 'failed'; reason: CommandFailureReason };

function outcomeOf(record: CommandRecord, device: Device, now: number): Outcome {
  if (now < record.dueAt) return { status: 'pending' };
  if (!isReporting(device, record.dueAt)) return { status: 'failed', reason: 'device_offline' };
  if (record.rejected) return { status: 'failed', reason: 'update_failed' };
  return { status: 'completed' };
}

export function viewCommand(record: CommandRecord, device: Device, now: number): CommandView {
  const base = {
    id: record.id,
    deviceId: record.deviceId,
    type: record.type,
    ...(record.version === undefined ? {} : { version: record.version }),
    issuedBy: record.issuedBy,
    ...(record.jobId === undefined ? {} : { jobId: record.jobId }),
    ...(record.initiatedBy === undefined ? {} : { initiatedBy: record.initiatedBy }),
    issuedAt: new Date(record.issuedAt).toISOString(),
  };
  const outcome = outcomeOf(record, device, now);
  switch (outcome.status) {
    case 'pending':
      return { ...base, status: 'pending' };
    case 'failed':
      return { ...base, status: 'failed', failureReason: outcome.reason };
    case 'completed':
      return { ...base, status: 'completed', completedAt: new Date(record.dueAt).toISOString() };
  }
}

/**
 * Recent commands (at most 1,000, oldest evicted first) plus each device's latest command, which stays
 * answerable after the recent log evicted it (a rollout over 10,000 devices needs every device's
 * state), and the firmware each device was updated to. The two maps are keyed by device id and the
 * routes only pass fleet devices, so they hold at most one entry per device. All in memory, per
 * instance: a restart forgets commands and installed firmware.
 */
export class CommandLog {
  readonly #recent: BoundedMap<string, CommandRecord>;
  readonly #latest = new Map<string, CommandRecord>();
  /** Versions installed by updates that are no longer a device's latest command. */
  readonly #installed = new Map<string, string>();
  readonly #settings: CommandSettings;

  constructor(
    settings: CommandSettings = {
      durationsMs: DEFAULT_COMMAND_DURATION_MS,
      firmwareFailureRate: DEFAULT_FIRMWARE_FAILURE_RATE,
    },
    maxRecent = MAX_RECENT_COMMANDS,
  ) {
    this.#settings = settings;
    this.#recent = new BoundedMap(maxRecent);
  }

  /** The device's commands, newest first: its latest always, older ones while the log keeps them. */
  forDevice(deviceId: string, limit = 20): CommandRecord[] {
    const latest = this.#latest.get(deviceId);
    // Most devices never had a command: skip the scan.
    if (!latest) return [];
    const records: CommandRecord[] = [];
    for (const record of this.#recent.values()) if (record.deviceId === deviceId) records.push(record);
    records.reverse();
    if (records[0] !== latest) records.unshift(latest);
    return records.slice(0, limit);
  }

  /** The firmware the device reports at `now`: its last completed update's version, else the factory one. */
  firmwareVersion(device: Device, now: number): string {
    const latest = this.#latest.get(device.id);
    if (latest?.version !== undefined && outcomeOf(latest, device, now).status === 'completed') {
      return latest.version;
    }
    return this.#installed.get(device.id) ?? device.firmwareVersion;
  }

  /** Rejects with 409 when the device is offline or still busy with an earlier command. */
  issue(
    device: Device,
    request: CommandRequest,
    issuedBy: string,
    now: number,
    attribution: CommandAttribution = {},
  ): CommandRecord {
    if (!isReporting(device, now)) {
      throw new ApiError(409, 'device_offline', `${device.id} is offline and cannot take commands`);
    }
    const previous = this.#latest.get(device.id);
    if (previous && now < previous.dueAt) {
      throw new ApiError(409, 'command_in_progress', `${device.id} is still running command ${previous.id}`);
    }
    // The previous command is over: keep what it installed before it stops being the latest.
    if (previous?.version !== undefined && outcomeOf(previous, device, now).status === 'completed') {
      this.#installed.set(device.id, previous.version);
    }

    const version = request.type === 'firmware-update' ? request.version : undefined;
    const record: CommandRecord = {
      id: `cmd-${crypto.randomUUID()}`,
      deviceId: device.id,
      type: request.type,
      ...(version === undefined ? {} : { version }),
      issuedBy,
      ...attribution,
      issuedAt: now,
      dueAt: now + this.#settings.durationsMs[request.type],
      ...(version !== undefined && firmwareUpdateFails(device, version, this.#settings.firmwareFailureRate)
        ? { rejected: true as const }
        : {}),
    };
    this.#recent.set(record.id, record);
    this.#latest.set(device.id, record);
    return record;
  }
}
