import type { RangeKey } from '../router/routes.ts';
import type { Metric } from './types.ts';

// The one place query keys are made. Keys are hierarchical so that invalidating a prefix reaches
// everything under it; every device-API query starts with 'api' (the stale-data banner looks for it).

export interface AlertListFilters {
  view: 'active' | 'open' | 'all';
  severity: '' | 'critical' | 'warning' | 'info';
}

export const queryKeys = {
  session: () => ['bff', 'session'] as const,
  api: () => ['api'] as const,
  sites: () => ['api', 'sites'] as const,
  devices: {
    all: () => ['api', 'devices'] as const,
    list: () => ['api', 'devices', 'list'] as const,
    detail: (id: string) => ['api', 'devices', 'detail', id] as const,
    telemetry: (id: string, metric: Metric, range: RangeKey) =>
      ['api', 'devices', 'detail', id, 'telemetry', metric, range] as const,
    commands: (id: string) => ['api', 'devices', 'detail', id, 'commands'] as const,
  },
  alerts: {
    all: () => ['api', 'alerts'] as const,
    list: (filters: AlertListFilters) => ['api', 'alerts', 'list', filters] as const,
  },
} as const;

/** True for keys of device-API data (as opposed to the BFF's session). */
export const isApiKey = (key: readonly unknown[]): boolean => key[0] === 'api';
