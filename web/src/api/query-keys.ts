import type { JobListFilters, RangeKey } from '../router/routes.ts';
import type { DeviceSelection } from './job-types.ts';
import type { Metric } from './types.ts';

// The one place query keys are made. Keys are hierarchical so that invalidating a prefix reaches
// everything under it; every device-API query starts with 'api' (the stale-data banner looks for it),
// the BFF's own data (session, jobs) with 'bff'.

export interface AlertListFilters {
  view: 'active' | 'open' | 'all';
  severity: '' | 'critical' | 'warning' | 'info';
}

export const queryKeys = {
  session: () => ['bff', 'session'] as const,
  api: () => ['api'] as const,
  sites: () => ['api', 'sites'] as const,
  models: () => ['api', 'models'] as const,
  devices: {
    all: () => ['api', 'devices'] as const,
    list: () => ['api', 'devices', 'list'] as const,
    /** How many devices a job's selection matches (the start form's preview). */
    count: (selection: DeviceSelection) => ['api', 'devices', 'count', selection] as const,
    detail: (id: string) => ['api', 'devices', 'detail', id] as const,
    telemetry: (id: string, metric: Metric, range: RangeKey) =>
      ['api', 'devices', 'detail', id, 'telemetry', metric, range] as const,
    commands: (id: string) => ['api', 'devices', 'detail', id, 'commands'] as const,
  },
  alerts: {
    all: () => ['api', 'alerts'] as const,
    list: (filters: AlertListFilters) => ['api', 'alerts', 'list', filters] as const,
  },
  jobs: {
    all: () => ['bff', 'jobs'] as const,
    lists: () => ['bff', 'jobs', 'list'] as const,
    list: (filters: JobListFilters) => ['bff', 'jobs', 'list', filters] as const,
    /** Every page of one job's detail (they differ by the page of per-device outcomes). */
    detail: (id: string) => ['bff', 'jobs', 'detail', id] as const,
    detailPage: (id: string, itemsOffset: number) => ['bff', 'jobs', 'detail', id, { itemsOffset }] as const,
  },
} as const;

/** True for keys of device-API data (as opposed to the BFF's session). */
export const isApiKey = (key: readonly unknown[]): boolean => key[0] === 'api';
