// JSON shapes of the BFF (`/bff/session`, `/bff/logout`) and the device API behind `/api/*`
// (platform/api/README.md). Only what the SPA reads is typed.

export interface SessionInfo {
  authenticated: true;
  user: { sub: string; name: string; roles: string[] };
  session: { startedAt: string | null; expiresAt: string | null };
}

export interface LogoutAnswer {
  logoutUrl: string;
}

export type DeviceStatus = 'online' | 'degraded' | 'offline';
export const DEVICE_STATUSES: readonly DeviceStatus[] = ['online', 'degraded', 'offline'];

export type Metric = 'temperature' | 'humidity' | 'battery' | 'signal';
export const METRICS: readonly Metric[] = ['temperature', 'humidity', 'battery', 'signal'];

export interface Readings {
  temperature: number | null;
  humidity: number | null;
  battery: number | null;
  signal: number | null;
}

export interface DeviceSummary {
  id: string;
  name: string;
  site: string;
  siteName: string;
  model: string;
  type: string;
  status: DeviceStatus;
  lastSeen: string;
  readings: Readings;
  activeAlerts: number;
}

export type StatusCounts = Record<DeviceStatus, number>;

export interface DevicePage {
  items: DeviceSummary[];
  total: number;
  limit: number;
  offset: number;
  counts: StatusCounts;
}

export interface Site {
  id: string;
  name: string;
  utcOffsetHours: number;
  devices: number;
  counts: StatusCounts;
}

/** `GET /api/models`: the device models there are, with how many devices each. */
export interface DeviceModel {
  id: string;
  name: string;
  devices: number;
}

export type Severity = 'critical' | 'warning' | 'info';

export interface Alert {
  id: string;
  deviceId: string;
  deviceName: string;
  site: string;
  rule: string;
  metric: Metric | 'connectivity';
  severity: Severity;
  value: number | null;
  threshold: number | null;
  unit: string | null;
  message: string;
  raisedAt: string;
  active: boolean;
  resolvedAt: string | null;
  status: 'open' | 'acknowledged';
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
}

export interface AlertPage {
  items: Alert[];
  total: number;
  limit: number;
  offset: number;
}

export type CommandType = 'reboot' | 'recalibrate';
export type CommandStatus = 'pending' | 'completed' | 'failed';

export interface Command {
  id: string;
  deviceId: string;
  type: CommandType;
  status: CommandStatus;
  issuedBy: string;
  issuedAt: string;
  completedAt?: string;
  failureReason?: string;
}

export interface Thresholds {
  temperature: { warning: number; critical: number };
  humidity: { warning: number };
  battery: { warning: number; critical: number };
  signal: { info: number };
}

export interface DeviceDetails extends DeviceSummary {
  manufacturer: string;
  serialNumber: string;
  firmwareVersion: string;
  reportIntervalSeconds: number;
  timezoneOffsetHours: number;
  thresholds: Thresholds;
  units: Record<Metric, string>;
  alerts: Alert[];
  commands: Command[];
}

export type TelemetryPoint = readonly [epochMs: number, value: number | null];

export interface Telemetry {
  deviceId: string;
  metric: Metric;
  unit: string;
  from: string;
  to: string;
  step: number;
  sampleIntervalSeconds: number;
  points: TelemetryPoint[];
}
