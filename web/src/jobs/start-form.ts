import type { DeviceSelection, JobType, StartJobRequest } from '../api/job-types.ts';
import { type DeviceStatus, METRICS, type Metric } from '../api/types.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_CANARY, DEFAULT_FAILURE_THRESHOLD } from './job-words.ts';

// The start form's state as typed (strings, as inputs hold them) and its conversion into the
// request the BFF takes, checking what the BFF would refuse so the user hears it next to the field.

export interface StartFormState {
  type: JobType;
  site: string;
  model: string;
  statuses: DeviceStatus[];
  /** Comma- or space-separated device ids; empty for no id filter. */
  ids: string;
  version: string;
  batchSize: string;
  canary: string;
  /** Percent of failed devices that stops a rollout, 0–100. */
  failurePercent: string;
  /** `datetime-local` values (the browser's time zone). */
  from: string;
  to: string;
  metrics: Metric[];
  scheduled: boolean;
  cron: string;
  timezone: string;
}

export type StartFormField =
  | 'version'
  | 'batchSize'
  | 'canary'
  | 'failurePercent'
  | 'from'
  | 'to'
  | 'metrics'
  | 'cron'
  | 'timezone'
  | 'ids';

export type StartFormErrors = Partial<Record<StartFormField, string>>;

// The BFF's limits (bff/jobs/job-params.ts), checked here only to say so beside the field.
export const MAX_EXPORT_DAYS = 31;
export const MAX_BATCH = 500;
const MAX_IDS = 1000;
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const VERSION = /^[0-9A-Za-z._-]{1,32}$/;
const DAY_MS = 86_400_000;

const pad = (n: number) => String(n).padStart(2, '0');

/** A time as a `datetime-local` value, in the browser's time zone, to the minute. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function initialStartForm(now = Date.now(), timezone = browserTimeZone()): StartFormState {
  const to = Math.floor(now / 60_000) * 60_000;
  return {
    type: 'firmware-rollout',
    site: '',
    model: '',
    statuses: [],
    ids: '',
    version: '',
    batchSize: String(DEFAULT_BATCH_SIZE),
    canary: String(DEFAULT_CANARY),
    failurePercent: String(DEFAULT_FAILURE_THRESHOLD * 100),
    // An export covers the last 24 hours unless changed.
    from: toLocalInput(to - DAY_MS),
    to: toLocalInput(to),
    metrics: [...METRICS],
    scheduled: false,
    cron: '0 3 * * *',
    timezone,
  };
}

export const parseIds = (text: string): string[] => [
  ...new Set(
    text
      .split(/[\s,;]+/)
      .map((id) => id.trim())
      .filter(Boolean),
  ),
];

/** The selection with empty filters left out (`{}` is every device). */
export function selectionOf(
  state: Pick<StartFormState, 'site' | 'model' | 'statuses' | 'ids'>,
): DeviceSelection {
  const selection: DeviceSelection = {};
  if (state.site) selection.site = state.site;
  if (state.model) selection.model = state.model;
  // Kept in a fixed order so that equal selections make equal query keys.
  const statuses = (['online', 'degraded', 'offline'] as const).filter((s) => state.statuses.includes(s));
  if (statuses.length > 0) selection.status = statuses;
  const ids = parseIds(state.ids);
  if (ids.length > 0) selection.ids = ids;
  return selection;
}

const CRON_FIELD = /^[\d*/,A-Za-z?LW#-]+$/;

/** Five fields (minute hour day-of-month month day-of-week); the server checks the values. */
export const isCronShaped = (cron: string): boolean => {
  const fields = cron.trim().split(/\s+/);
  return fields.length === 5 && fields.every((field) => CRON_FIELD.test(field));
};

/** An IANA zone this browser knows (`Europe/Berlin`); the server has the final word. */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

export type BuildResult = { ok: true; request: StartJobRequest } | { ok: false; errors: StartFormErrors };

export function buildStartRequest(state: StartFormState): BuildResult {
  const errors: StartFormErrors = {};
  const selection = selectionOf(state);
  const badId = selection.ids?.find((id) => !DEVICE_ID.test(id));
  if (badId !== undefined) errors.ids = `“${badId}” is not a device id (letters, digits, - and _).`;
  else if ((selection.ids?.length ?? 0) > MAX_IDS) errors.ids = `At most ${MAX_IDS.toLocaleString()} ids.`;
  let request: StartJobRequest | undefined;
  switch (state.type) {
    case 'firmware-rollout': {
      const version = state.version.trim();
      if (!VERSION.test(version))
        errors.version = version
          ? 'Up to 32 letters, digits, dots, dashes and underscores.'
          : 'Enter the firmware version.';
      const batchSize = wholeNumber(state.batchSize, 1, MAX_BATCH);
      if (batchSize === undefined) errors.batchSize = `A whole number from 1 to ${MAX_BATCH}.`;
      const canary = wholeNumber(state.canary, 0, MAX_BATCH);
      if (canary === undefined) errors.canary = `A whole number up to ${MAX_BATCH}, 0 for no canary batch.`;
      const percent = Number(state.failurePercent);
      if (state.failurePercent.trim() === '' || !Number.isFinite(percent) || percent < 0 || percent > 100)
        errors.failurePercent = 'A percentage from 0 to 100.';
      if (batchSize !== undefined && canary !== undefined && percent >= 0 && percent <= 100) {
        request = {
          type: 'firmware-rollout',
          params: { version, selection, batchSize, canary, failureThreshold: percent / 100 },
        };
      }
      break;
    }
    case 'telemetry-export': {
      const from = Date.parse(state.from);
      const to = Date.parse(state.to);
      if (Number.isNaN(from)) errors.from = 'Enter when the export starts.';
      if (Number.isNaN(to)) errors.to = 'Enter when the export ends.';
      else if (!Number.isNaN(from) && to <= from) errors.to = 'The end must be after the start.';
      else if (!Number.isNaN(from) && to - from > MAX_EXPORT_DAYS * DAY_MS)
        errors.to = `At most ${MAX_EXPORT_DAYS} days after the start.`;
      if (state.metrics.length === 0) errors.metrics = 'Choose at least one metric.';
      const metrics = METRICS.filter((m) => state.metrics.includes(m));
      if (!Number.isNaN(from) && !Number.isNaN(to)) {
        request = {
          type: 'telemetry-export',
          params: { selection, from: new Date(from).toISOString(), to: new Date(to).toISOString(), metrics },
        };
      }
      break;
    }
    case 'recalibration': {
      const cron = state.cron.trim().replace(/\s+/g, ' ');
      const timezone = state.timezone.trim();
      if (state.scheduled) {
        if (!isCronShaped(cron)) errors.cron = 'Five fields: minute hour day-of-month month day-of-week.';
        if (!isTimeZone(timezone)) errors.timezone = 'An IANA time zone such as Europe/Berlin.';
      }
      request = {
        type: 'recalibration',
        params: state.scheduled ? { selection, schedule: { cron, timezone } } : { selection },
      };
      break;
    }
  }
  if (Object.keys(errors).length > 0 || !request) return { ok: false, errors };
  return { ok: true, request };
}
