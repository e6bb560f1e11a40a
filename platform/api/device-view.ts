// What the API says about a device at a moment: status, last contact and latest readings, derived
// from the schedule and the alert book; plus the full view with metadata.
import type { AlertBook } from './alert-book.ts';
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
  firmwareVersion: string;
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

export function summarizeDevice(device: Device, now: number, alerts: AlertBook): DeviceSummary {
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
    status,
    lastSeen: new Date(lastSeen).toISOString(),
    readings: readingsAt(device, lastSeen),
    activeAlerts: alerts.forDevice(device, now).filter(({ alert }) => alert.resolvesAt > now).length,
  };
}

export function describeDevice(device: Device, now: number, alerts: AlertBook): DeviceDetails {
  return {
    ...summarizeDevice(device, now, alerts),
    manufacturer: device.model.manufacturer,
    serialNumber: device.serialNumber,
    firmwareVersion: device.firmwareVersion,
    reportIntervalSeconds: device.reportIntervalSeconds,
    timezoneOffsetHours: device.site.utcOffsetHours,
    thresholds: device.thresholds,
    units: UNITS,
  };
}
