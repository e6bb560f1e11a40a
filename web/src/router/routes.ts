import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from '../api/job-types.ts';
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

export interface JobListFilters {
  status: JobStatus | '';
  type: JobType | '';
  /** Only jobs the signed-in user started. */
  mine: boolean;
  /** 1-based page of the list. */
  page: number;
}

export type Route =
  | { name: 'fleet'; filters: FleetFilters }
  | { name: 'device'; id: string; range: RangeKey }
  | { name: 'alerts' }
  | { name: 'jobs'; filters: JobListFilters }
  /** `page`: 1-based page of the per-device outcomes. */
  | { name: 'job'; id: string; page: number }
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

export const jobListFilters = (filters: Partial<JobListFilters> = {}): JobListFilters => ({
  status: '',
  type: '',
  mine: false,
  page: 1,
  ...filters,
});

export const jobsRoute = (filters: Partial<JobListFilters> = {}): Route => ({
  name: 'jobs',
  filters: jobListFilters(filters),
});

export const jobRoute = (id: string, page = 1): Route => ({ name: 'job', id, page });

export const isRange = (value: string | null): value is RangeKey =>
  (RANGES as readonly (string | null)[]).includes(value);

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  values.find((v) => v === value);

const DEVICE_PATH = /^\/devices\/([^/]+)\/?$/;
const JOB_PATH = /^\/jobs\/([^/]+)\/?$/;

/** A page number from the URL: a positive integer, else 1. */
function pageOf(value: string | null): number {
  const page = Number(value);
  return Number.isSafeInteger(page) && page >= 1 ? page : 1;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

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
  if (pathname === '/jobs' || pathname === '/jobs/') {
    return jobsRoute({
      status: oneOf(JOB_STATUSES, params.get('status')) ?? '',
      type: oneOf(JOB_TYPES, params.get('type')) ?? '',
      mine: params.get('mine') === 'true',
      page: pageOf(params.get('page')),
    });
  }
  const device = DEVICE_PATH.exec(pathname);
  if (device?.[1]) {
    const id = decodeSegment(device[1]);
    if (id === undefined) return { name: 'not-found', path: pathname };
    const range = params.get('range');
    return { name: 'device', id, range: isRange(range) ? range : DEFAULT_RANGE };
  }
  const job = JOB_PATH.exec(pathname);
  if (job?.[1]) {
    const id = decodeSegment(job[1]);
    if (id === undefined) return { name: 'not-found', path: pathname };
    return jobRoute(id, pageOf(params.get('page')));
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
    case 'jobs': {
      const params = new URLSearchParams();
      const { status, type, mine, page } = route.filters;
      if (status) params.set('status', status);
      if (type) params.set('type', type);
      if (mine) params.set('mine', 'true');
      if (page > 1) params.set('page', String(page));
      const query = params.toString();
      return query ? `/jobs?${query}` : '/jobs';
    }
    case 'job': {
      const path = `/jobs/${encodeURIComponent(route.id)}`;
      return route.page > 1 ? `${path}?page=${route.page}` : path;
    }
    case 'signed-out':
      return '/signed-out';
    case 'not-found':
      return route.path;
  }
}
