import { isApiError } from '../api/api-error.ts';
import type {
  DeviceSelection,
  JobSummary,
  JobType,
  PausedReason,
  Person,
  StartJobRequest,
} from '../api/job-types.ts';
import { type DeviceStatus, METRICS, type Metric } from '../api/types.ts';
import { formatDateTime, formatDuration } from '../format/time.ts';

// Jobs in words: what a job will do (the confirmation), what it was asked to do (its parameters),
// why it is paused, its outcomes and audit events. Pure, so the wording is tested on its own.

export const DEFAULT_BATCH_SIZE = 50;
export const DEFAULT_CANARY = 5;
export const DEFAULT_FAILURE_THRESHOLD = 0.1;

export const PAUSE_EXPLANATION: Record<PausedReason, string> = {
  credentials: "The automation account's credentials were refused. Fix the credentials, then resume.",
  idp_unavailable: 'The sign-in service is unavailable; the job resumes by itself.',
};

export const pauseExplanation = (reason: string | null): string =>
  PAUSE_EXPLANATION[reason as PausedReason] ?? 'The job is paused; an operator can resume it.';

const OUTCOME_LABEL: Record<string, string> = {
  updated: 'Updated',
  already_current: 'Already current',
  failed: 'Failed',
  offline: 'Offline',
  not_attempted: 'Not attempted',
  exported: 'Exported',
  not_found: 'Not found',
  recalibrated: 'Recalibrated',
};

const EVENT_LABEL: Record<string, string> = {
  created: 'Created',
  started: 'Started',
  paused: 'Paused',
  resumed: 'Resumed',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  batch_started: 'Batch started',
  threshold_reached: 'Failure threshold reached',
};

/** "already_current" → "Already current", "batchSize" → "Batch size". */
export function humanize(word: string): string {
  const spaced = word
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export const outcomeLabel = (outcome: string): string => OUTCOME_LABEL[outcome] ?? humanize(outcome);
export const eventLabel = (kind: string): string => EVENT_LABEL[kind] ?? humanize(kind);

/** Who did something: the person's name (their id when the name is unknown), or "system". */
export const personName = (person: Person | null): string =>
  person === null ? 'system' : (person.name ?? person.sub);

/** From start to finish, or to now while it runs; undefined before it started. */
export function jobDuration(
  job: Pick<JobSummary, 'startedAt' | 'finishedAt'>,
  now: number,
): number | undefined {
  if (!job.startedAt) return undefined;
  const start = Date.parse(job.startedAt);
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? undefined : Math.max(0, end - start);
}

export const formatJobDuration = (job: Pick<JobSummary, 'startedAt' | 'finishedAt'>, now: number): string => {
  const ms = jobDuration(job, now);
  return ms === undefined ? 'not started' : formatDuration(ms);
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A server-side detail (any JSON) as one short line: `key: value · key: value`. */
export function describeDetail(detail: unknown, max = 160): string {
  const one = (value: unknown): string => {
    if (value === null || value === undefined) return '—';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return JSON.stringify(value);
  };
  let text: string;
  if (detail === null || detail === undefined || detail === '') text = '';
  else if (Array.isArray(detail)) text = detail.map(one).join(', ');
  else if (isRecord(detail))
    text = Object.entries(detail)
      .map(([key, value]) => `${humanize(key).toLowerCase()}: ${one(value)}`)
      .join(' · ');
  else text = one(detail);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const listJoin = (words: readonly string[], last: 'and' | 'or'): string =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${last} ${words.at(-1)}`;

export const countOf = (n: number, one = 'device', many = 'devices'): string =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** 0.1 → "10 %", 0.025 → "2.5 %". */
export const percentOf = (share: number): string => `${Number((share * 100).toFixed(1))} %`;

/** Site and model names for their ids, when the lists are at hand. */
export interface NameLookup {
  site?: (id: string) => string | undefined;
  model?: (id: string) => string | undefined;
}

const SHOWN_IDS = 5;

/** "site Austin Lab, model FG-2, status online or degraded"; "every device" for an empty selection. */
export function describeSelection(selection: DeviceSelection, names: NameLookup = {}): string {
  const parts: string[] = [];
  if (selection.site) parts.push(`site ${names.site?.(selection.site) ?? selection.site}`);
  if (selection.model) parts.push(`model ${names.model?.(selection.model) ?? selection.model}`);
  if (selection.status?.length) parts.push(`status ${listJoin(selection.status, 'or')}`);
  const ids = selection.ids ?? [];
  if (ids.length > SHOWN_IDS) parts.push(`${ids.length} listed devices (${ids.slice(0, 3).join(', ')}, …)`);
  else if (ids.length > 0) parts.push(`${ids.length === 1 ? 'device' : 'devices'} ${ids.join(', ')}`);
  return parts.length > 0 ? parts.join(', ') : 'every device';
}

const metricsWords = (metrics: readonly Metric[] | undefined): string =>
  listJoin(metrics && metrics.length > 0 ? metrics : METRICS, 'and');

const scheduleWords = (schedule: { cron: string; timezone: string }) =>
  `at every occurrence of “${schedule.cron}” (${schedule.timezone})`;

/**
 * What starting the job will do, for the confirmation dialog: "Update firmware to 3.1.0 on 118
 * devices in batches of 50, 5 canary devices first; stops if more than 10 % fail." and which devices.
 */
export function describeJobRequest(
  job: StartJobRequest,
  deviceCount: number | undefined,
  names: NameLookup = {},
): string {
  const devices = deviceCount === undefined ? 'the matching devices' : countOf(deviceCount);
  let action: string;
  switch (job.type) {
    case 'firmware-rollout': {
      const { version, batchSize, canary, failureThreshold } = job.params;
      const canaryCount = canary ?? DEFAULT_CANARY;
      const canaryWords =
        canaryCount > 0
          ? `, ${countOf(canaryCount, 'canary device', 'canary devices')} first`
          : ', no canary batch';
      action =
        `Update firmware to ${version} on ${devices} in batches of ${batchSize ?? DEFAULT_BATCH_SIZE}` +
        `${canaryWords}; stops if more than ${percentOf(failureThreshold ?? DEFAULT_FAILURE_THRESHOLD)} fail.`;
      break;
    }
    case 'telemetry-export': {
      const { from, to, metrics } = job.params;
      const span = formatDuration(Date.parse(to) - Date.parse(from));
      action =
        `Export the ${metricsWords(metrics)} readings of ${devices} from ${formatDateTime(from)} ` +
        `to ${formatDateTime(to)} (${span}) as a CSV file.`;
      break;
    }
    case 'recalibration': {
      const { schedule } = job.params;
      action = schedule
        ? `Recalibrate ${devices} ${scheduleWords(schedule)}; the job waits for the next one.`
        : `Recalibrate ${devices} now.`;
      break;
    }
  }
  return `${action} Devices: ${describeSelection(job.params.selection, names)}.`;
}

const DEVICE_STATUS_WORDS: readonly DeviceStatus[] = ['online', 'degraded', 'offline'];

/** The selection as stored by the server, keeping only what has the expected shape. */
function selectionOf(value: unknown): DeviceSelection {
  if (!isRecord(value)) return {};
  const strings = (list: unknown) =>
    Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : undefined;
  const selection: DeviceSelection = {};
  if (typeof value.site === 'string') selection.site = value.site;
  if (typeof value.model === 'string') selection.model = value.model;
  const status = strings(value.status)?.filter((s): s is DeviceStatus =>
    (DEVICE_STATUS_WORDS as readonly string[]).includes(s),
  );
  if (status?.length) selection.status = status;
  const ids = strings(value.ids);
  if (ids?.length) selection.ids = ids;
  return selection;
}

const numberOr = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

/** A job's parameters as label/value pairs for its page, with the defaults the server applied. */
export function describeParams(
  type: JobType | string,
  params: unknown,
  names: NameLookup = {},
): [string, string][] {
  const p = isRecord(params) ? params : {};
  const devices: [string, string] = ['Devices', describeSelection(selectionOf(p.selection), names)];
  switch (type) {
    case 'firmware-rollout': {
      const canary = numberOr(p.canary, DEFAULT_CANARY);
      return [
        ['Firmware version', typeof p.version === 'string' ? p.version : 'unknown'],
        ['Batches', `${countOf(numberOr(p.batchSize, DEFAULT_BATCH_SIZE))} each`],
        ['Canary', canary > 0 ? `${countOf(canary)} first` : 'none'],
        [
          'Stops',
          `when more than ${percentOf(numberOr(p.failureThreshold, DEFAULT_FAILURE_THRESHOLD))} fail`,
        ],
        devices,
      ];
    }
    case 'telemetry-export': {
      const metrics = Array.isArray(p.metrics)
        ? p.metrics.filter((m): m is Metric => (METRICS as readonly unknown[]).includes(m))
        : undefined;
      const from = typeof p.from === 'string' ? formatDateTime(p.from) : 'unknown';
      const to = typeof p.to === 'string' ? formatDateTime(p.to) : 'unknown';
      return [['Range', `${from} to ${to}`], ['Metrics', metricsWords(metrics)], devices];
    }
    case 'recalibration': {
      const schedule = isRecord(p.schedule) ? p.schedule : undefined;
      let when = 'once, right away';
      if (schedule && typeof schedule.cron === 'string')
        when = scheduleWords({ cron: schedule.cron, timezone: String(schedule.timezone ?? 'UTC') });
      // One run that a schedule started carries the occurrence it is for.
      else if (typeof p.occurrence === 'string')
        when = `the scheduled run of ${formatDateTime(p.occurrence)}`;
      return [['When', when], devices];
    }
    default:
      return [['Parameters', describeDetail(params) || 'none']];
  }
}

export type JobAttempt = 'start' | 'cancel' | 'resume' | 'load' | 'download';

const ATTEMPT_WORDS: Record<JobAttempt, string> = {
  start: 'start jobs',
  cancel: 'cancel jobs',
  resume: 'resume jobs',
  load: 'see jobs',
  download: 'download results',
};

/** Why a jobs call failed, in words, from the BFF's stable codes. */
export function describeJobsError(error: unknown, attempt: JobAttempt): string {
  if (!isApiError(error)) return 'Something went wrong; try again.';
  switch (error.code) {
    case 'bad_request':
      return `The job was refused: ${error.message}`;
    case 'insufficient_scope':
      return `Your role may not ${ATTEMPT_WORDS[attempt]}: that needs the operator role.`;
    case 'jobs_unavailable': {
      const seconds =
        error.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(error.retryAfterMs / 1000));
      return seconds === undefined
        ? 'Jobs are starting up, try again in a few seconds.'
        : `Jobs are starting up, try again in ${seconds} s.`;
    }
    case 'conflict':
      return `The job's state no longer allows that (${error.message}); the page shows where it is now.`;
    case 'not_found':
      return attempt === 'download' ? 'This job has no result file.' : 'There is no such job.';
    default:
      return error.message;
  }
}
