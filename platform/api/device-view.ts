// What the API says about a device at a moment: status, last contact and latest readings, derived
// from the schedule and the alert book, and its firmware from the command log; plus the full view
// with metadata.
import type { AlertBook } from './alert-book.ts';
import type { CommandLog } from './commands.ts';
import type { Device, Thresholds } from './fleet.ts';
import { offlineWindowAt, SAMPLE_MS, sampleTime } from './schedule.ts';
import { type Readings, readingsAt, UNITS } from './telemetry.ts';

export type DeviceStatus = 'online' | 'degraded' | 'offline';
export const DEVICE_STATUSES: readonly DeviceStatus[] = ['online', 'degraded', 'offline'];

export interface DeviceSummary {
  id: string;
  name: string;
  site: string;
  siteName: string;
  model: string;
  type: string;
  /** The factory version until a firmware update completes on this instance. */
  firmwareVersion: string;
  status: DeviceStatus;
  /** The last sample the device reported; while offline, the one before the outage. */
  lastSeen: string;
  /** Readings at `lastSeen`. */
  readings: Readings;
  activeAlerts: number;
}

export interface DeviceDetails extends DeviceSummary {
  manufacturer: string;
  serialNumber: string;
  reportIntervalSeconds: number;
  timezoneOffsetHours: number;
  thresholds: Thresholds;
  units: typeof UNITS;
}

export function lastSeenAt(device: Device, now: number): number {
  const sample = sampleTime(now);
  const outage = offlineWindowAt(device, sample);
  return outage ? outage.start - SAMPLE_MS : sample;
}

/** What a device's view reads besides the device itself. */
export interface DeviceState {
  alerts: AlertBook;
  commands: Pick<CommandLog, 'firmwareVersion'>;
}

export function summarizeDevice(
  device: Device,
  now: number,
  { alerts, commands }: DeviceState,
): DeviceSummary {
  const lastSeen = lastSeenAt(device, now);
  const offline = lastSeen !== sampleTime(now);
  const status: DeviceStatus = offline ? 'offline' : alerts.degrades(device, now) ? 'degraded' : 'online';
  return {
    id: device.id,
    name: device.name,
    site: device.site.id,
    siteName: device.site.name,
    model: device.model.model,
    type: device.model.type,
    firmwareVersion: commands.firmwareVersion(device, now),
    status,
    lastSeen: new Date(lastSeen).toISOString(),
    readings: readingsAt(device, lastSeen),
    activeAlerts: alerts.forDevice(device, now).filter(({ alert }) => alert.resolvesAt > now).length,
  };
}

export function describeDevice(device: Device, now: number, state: DeviceState): DeviceDetails {
  return {
    ...summarizeDevice(device, now, state),
    manufacturer: device.model.manufacturer,
    serialNumber: device.serialNumber,
    reportIntervalSeconds: device.reportIntervalSeconds,
    timezoneOffsetHours: device.site.utcOffsetHours,
    thresholds: device.thresholds,
    units: UNITS,
  };
}
