// GET /sites, /models, /devices, /devices/:id and /devices/:id/telemetry.
import type { Hono } from 'hono';
import type { DeviceApiEnv } from './access-token.ts';
import { viewAlert } from './alert-view.ts';
import { ApiError, badQuery } from './api-error.ts';
import { viewCommand } from './commands.ts';
import {
  DEVICE_STATUSES,
  type DeviceStatus,
  type DeviceSummary,
  describeDevice,
  summarizeDevice,
} from './device-view.ts';
import { isDeviceIdShaped, MODELS, SITES } from './fleet.ts';
import { QueryParams } from './query-params.ts';
import { findDevice, type RouteDeps } from './route-deps.ts';
import { METRICS, type Metric, SAMPLE_MS } from './schedule.ts';
import { MAX_RANGE_MS, MAX_STEP_SECONDS, planSeries, series, UNITS } from './telemetry.ts';

export const MAX_LIMIT = 1_000;
export const DEFAULT_LIMIT = 100;
/** `ids=` resolves an explicit selection of up to a page of devices in one request. */
export const MAX_IDS = 1_000;
const DEVICE_ID_MAX_LENGTH = 'dev-10000'.length;
const MAX_OFFSET = 1_000_000;
const DEFAULT_TELEMETRY_RANGE_MS = 3_600_000;
const DEVICE_ALERTS_SHOWN = 50;

const SORT_FIELDS = ['id', 'name', 'site', 'status', 'lastSeen', ...METRICS] as const;
type SortField = (typeof SORT_FIELDS)[number];
const SORT_KEYS = SORT_FIELDS.flatMap((f) => [f, `-${f}`]);

// Sorting by status puts problems first.
const STATUS_RANK: Record<DeviceStatus, number> = { offline: 0, degraded: 1, online: 2 };

// Ids compare by number so dev-10000 follows dev-9999.
function idNumber(summary: DeviceSummary): number {
  return Number(summary.id.slice('dev-'.length));
}

function sortValue(summary: DeviceSummary, field: SortField): string | number | null {
  switch (field) {
    case 'id':
      return idNumber(summary);
    case 'status':
      return STATUS_RANK[summary.status];
    case 'temperature':
    case 'humidity':
    case 'battery':
    case 'signal':
      return summary.readings[field];
    default:
      return summary[field];
  }
}

function comparator(key: string): (a: DeviceSummary, b: DeviceSummary) => number {
  const descending = key.startsWith('-');
  const field = (descending ? key.slice(1) : key) as SortField;
  return (a, b) => {
    const x = sortValue(a, field);
    const y = sortValue(b, field);
    // Missing readings sort last either way; ties fall back to the id.
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      const order = x < y ? -1 : 1;
      return descending ? -order : order;
    }
    return idNumber(a) - idNumber(b);
  };
}

function countStatuses(summaries: readonly DeviceSummary[]): Record<DeviceStatus, number> {
  const counts: Record<DeviceStatus, number> = { online: 0, degraded: 0, offline: 0 };
  for (const s of summaries) counts[s.status]++;
  return counts;
}

export function registerDeviceRoutes(app: Hono<DeviceApiEnv>, deps: RouteDeps): void {
  const { fleet, alerts, commands } = deps;
  const state = { alerts, commands };
  const siteIds = SITES.map((s) => s.id);
  const modelIds = MODELS.map((m) => m.model);

  app.get('/sites', deps.canRead, (c) => {
    const now = deps.now();
    const summaries = fleet.devices.map((d) => summarizeDevice(d, now, state));
    const items = SITES.map((site) => {
      const here = summaries.filter((s) => s.site === site.id);
      return { ...site, devices: here.length, counts: countStatuses(here) };
    });
    return c.json({ items });
  });

  // The catalogue is static and so is each device's model: no summaries (and no clock) needed.
  app.get('/models', deps.canRead, (c) => {
    const items = MODELS.map((model) => ({
      id: model.model,
      name: model.model,
      type: model.type,
      manufacturer: model.manufacturer,
      devices: fleet.devices.filter((d) => d.model === model).length,
    }));
    return c.json({ items });
  });

  app.get('/devices', deps.canRead, (c) => {
    const query = new QueryParams(c.req.url);
    const sites = query.listOf('site', siteIds);
    const models = query.listOf('model', modelIds);
    const idList = query.list('ids', MAX_IDS, DEVICE_ID_MAX_LENGTH);
    if (idList?.some((id) => !isDeviceIdShaped(id))) {
      throw badQuery('ids must be a comma-separated list of device ids like dev-0001');
    }
    // Well-formed ids outside this fleet simply match nothing.
    const ids = idList && new Set(idList);
    const statuses = query.listOf('status', DEVICE_STATUSES);
    const q = query.string('q', 100)?.toLowerCase();
    const limit = query.integer('limit', { min: 1, max: MAX_LIMIT }) ?? DEFAULT_LIMIT;
    const offset = query.integer('offset', { min: 0, max: MAX_OFFSET }) ?? 0;
    const sort = query.oneOf('sort', SORT_KEYS) ?? 'id';

    const now = deps.now();
    const matching = fleet.devices
      .filter((d) => !ids || ids.has(d.id))
      .filter((d) => !sites || sites.includes(d.site.id))
      .filter((d) => !models || models.includes(d.model.model))
      .filter(
        (d) =>
          !q ||
          [d.id, d.name, d.site.id, d.site.name, d.model.model, d.model.type].some((text) =>
            text.toLowerCase().includes(q),
          ),
      )
      .map((d) => summarizeDevice(d, now, state));
    // Counts cover every filter but status, so status tabs can show them.
    const counts = countStatuses(matching);
    const selected = statuses ? matching.filter((s) => statuses.includes(s.status)) : matching;
    selected.sort(comparator(sort));
    return c.json({
      items: selected.slice(offset, offset + limit),
      total: selected.length,
      limit,
      offset,
      counts,
    });
  });

  app.get('/devices/:id', deps.canRead, (c) => {
    const device = findDevice(fleet, c.req.param('id'));
    const now = deps.now();
    return c.json({
      ...describeDevice(device, now, state),
      alerts: alerts
        .forDevice(device, now)
        .slice(0, DEVICE_ALERTS_SHOWN)
        .map((a) => viewAlert(a, now)),
      commands: commands.forDevice(device.id).map((r) => viewCommand(r, device, now)),
    });
  });

  app.get('/devices/:id/telemetry', deps.canRead, (c) => {
    const device = findDevice(fleet, c.req.param('id'));
    const query = new QueryParams(c.req.url);
    const metric: Metric | undefined = query.oneOf('metric', METRICS);
    if (!metric) throw new ApiError(400, 'invalid_query', `metric is required: one of ${METRICS.join(', ')}`);
    const fromParam = query.timestamp('from');
    const toParam = query.timestamp('to');
    const step = query.integer('step', { min: 60, max: MAX_STEP_SECONDS });
    if (step !== undefined && step % 60 !== 0) {
      throw new ApiError(
        400,
        'invalid_query',
        'step must be a whole number of minutes, in seconds (60, 120, …)',
      );
    }

    const now = deps.now();
    // A `to` ahead of our clock (client skew) is cut to now: there is no future telemetry.
    const to = Math.min(toParam ?? now, now);
    const from = fromParam ?? to - DEFAULT_TELEMETRY_RANGE_MS;
    if (from >= to) throw new ApiError(400, 'invalid_range', 'from must be before to (and before now)');
    if (to - from > MAX_RANGE_MS) {
      throw new ApiError(
        400,
        'invalid_range',
        `The range may span at most ${MAX_RANGE_MS / 86_400_000} days`,
      );
    }

    const plan = planSeries(from, to, step);
    return c.json({
      deviceId: device.id,
      metric,
      unit: UNITS[metric],
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      step: plan.stepSeconds,
      sampleIntervalSeconds: SAMPLE_MS / 1000,
      points: series(device, metric, plan),
    });
  });
}
