import { DEVICE_STATUSES, type DeviceStatus } from '../api/types.ts';

// Every screen of the SPA as a typed value, parsed from and formatted back to a URL. State a user
// would want to share or keep across a reload (chart range, fleet filters) lives in the query string.

export const RANGES = ['1h', '6h', '24h', '7d'] as const;
export type RangeKey = (typeof RANGES)[number];
export const DEFAULT_RANGE: RangeKey = '24h';
export const RANGE_MS: Record<RangeKey, number> = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
};

export const FLEET_SORTS = [
  'name',
  'status',
  'site',
  '-lastSeen',
  'lastSeen',
  '-temperature',
  'battery',
  'signal',
] as const;
export type FleetSort = (typeof FLEET_SORTS)[number];
export const DEFAULT_FLEET_SORT: FleetSort = 'name';

export interface FleetFilters {
  /** Site id; '' for every site. */
  site: string;
  status: DeviceStatus | '';
  q: string;
  sort: FleetSort;
}

export type Route =
  | { name: 'fleet'; filters: FleetFilters }
  | { name: 'device'; id: string; range: RangeKey }
  | { name: 'alerts' }
  | { name: 'signed-out' }
  | { name: 'not-found'; path: string };

/** Fleet filters, every one not given at its default (all sites, every status, no search, by name). */
export const fleetFilters = (filters: Partial<FleetFilters> = {}): FleetFilters => ({
  site: '',
  status: '',
  q: '',
  sort: DEFAULT_FLEET_SORT,
  ...filters,
});

export const fleetRoute = (filters: Partial<FleetFilters> = {}): Route => ({
  name: 'fleet',
  filters: fleetFilters(filters),
});

export const isRange = (value: string | null): value is RangeKey =>
  (RANGES as readonly (string | null)[]).includes(value);

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  values.find((v) => v === value);

const DEVICE_PATH = /^\/devices\/([^/]+)\/?$/;

/** The route for a location; unknown paths give `not-found`, bad parameters their defaults. */
export function parseRoute(pathname: string, search = ''): Route {
  const params = new URLSearchParams(search);
  if (pathname === '/' || pathname === '') {
    return fleetRoute({
      site: params.get('site')?.slice(0, 40) ?? '',
      status: oneOf(DEVICE_STATUSES, params.get('status')) ?? '',
      q: params.get('q')?.slice(0, 100) ?? '',
      sort: oneOf(FLEET_SORTS, params.get('sort')) ?? DEFAULT_FLEET_SORT,
    });
  }
  if (pathname === '/alerts' || pathname === '/alerts/') return { name: 'alerts' };
  if (pathname === '/signed-out') return { name: 'signed-out' };
  const device = DEVICE_PATH.exec(pathname);
  if (device?.[1]) {
    let id: string;
    try {
      id = decodeURIComponent(device[1]);
    } catch {
      return { name: 'not-found', path: pathname };
    }
    const range = params.get('range');
    return { name: 'device', id, range: isRange(range) ? range : DEFAULT_RANGE };
  }
  return { name: 'not-found', path: pathname };
}

/** The canonical URL (path + query) of a route; defaults are left out of the fleet's query. */
export function routeHref(route: Route): string {
  switch (route.name) {
    case 'fleet': {
      const params = new URLSearchParams();
      const { site, status, q, sort } = route.filters;
      if (site) params.set('site', site);
      if (status) params.set('status', status);
      if (q) params.set('q', q);
      if (sort !== DEFAULT_FLEET_SORT) params.set('sort', sort);
      const query = params.toString();
      return query ? `/?${query}` : '/';
    }
    case 'device':
      return `/devices/${encodeURIComponent(route.id)}?range=${route.range}`;
    case 'alerts':
      return '/alerts';
    case 'signed-out':
      return '/signed-out';
    case 'not-found':
      return route.path;
  }
}
