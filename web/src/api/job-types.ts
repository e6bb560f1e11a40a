import type { DeviceStatus, Metric } from './types.ts';

// JSON shapes of the BFF's automation jobs (`/bff/jobs*`, `/bff/events`). Only what the SPA reads or
// sends is typed; `params` and every `detail` come back as the server stored them, so screens read
// them defensively.

export type JobType = 'firmware-rollout' | 'telemetry-export' | 'recalibration';
export const JOB_TYPES: readonly JobType[] = ['firmware-rollout', 'telemetry-export', 'recalibration'];

export type JobStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
export const JOB_STATUSES: readonly JobStatus[] = [
  'queued',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
];

export type PausedReason = 'credentials' | 'idp_unavailable';

export interface Person {
  sub: string;
  name: string | null;
}

export interface JobSummary {
  id: string;
  type: JobType;
  status: JobStatus;
  pausedReason: PausedReason | null;
  progress: { done: number; total: number | null };
  initiatedBy: Person;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  hasResult: boolean;
  /** Set for a scheduled recalibration waiting for its next occurrence. */
  nextRunAt: string | null;
  /** How many devices ended with each outcome, e.g. `{ updated: 40, failed: 2 }`. */
  summary: Record<string, number>;
}

export interface JobPage {
  items: JobSummary[];
  total: number;
}

export interface JobItemEntry {
  /** The device id. */
  key: string;
  outcome: string;
  detail: unknown;
  at: string;
}

export interface JobAuditEvent {
  at: string;
  kind: string;
  /** Null when the system did it (the engine, a schedule, a retry). */
  by: Person | null;
  detail: unknown;
}

export interface JobDetail extends JobSummary {
  params: unknown;
  items: { entries: JobItemEntry[]; total: number; offset: number; limit: number };
  events: JobAuditEvent[];
}

export interface DeviceSelection {
  site?: string;
  model?: string;
  status?: DeviceStatus[];
  ids?: string[];
}

export interface FirmwareRolloutParams {
  version: string;
  selection: DeviceSelection;
  batchSize?: number;
  canary?: number;
  /** Share of failed devices (0..1) that stops the rollout. */
  failureThreshold?: number;
}

export interface TelemetryExportParams {
  selection: DeviceSelection;
  from: string;
  to: string;
  metrics?: Metric[];
}

export interface RecalibrationParams {
  selection: DeviceSelection;
  schedule?: { cron: string; timezone: string };
}

export type StartJobRequest =
  | { type: 'firmware-rollout'; params: FirmwareRolloutParams }
  | { type: 'telemetry-export'; params: TelemetryExportParams }
  | { type: 'recalibration'; params: RecalibrationParams };

/** A `notification` event of `/bff/events`: one of the user's own jobs paused, failed or finished. */
export interface JobNotification {
  id: string;
  jobId: string;
  jobType: JobType;
  kind: 'paused' | 'failed' | 'completed';
  pausedReason: string | null;
  message: string;
  at: string;
}

export const isFinished = (status: JobStatus): boolean =>
  status === 'completed' || status === 'failed' || status === 'cancelled';
