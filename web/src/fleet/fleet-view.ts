import type { DeviceStatus, DeviceSummary, StatusCounts } from '../api/types.ts';
import type { FleetFilters, FleetSort } from '../router/routes.ts';

// The fleet list as shown: filtered by site, search and status, counted per status, sorted. Runs on
// the client over the whole fleet (up to 10,000 devices) on every poll, so it stays linear apart from
// one sort on precomputed keys.

export interface SiteOption {
  id: string;
  name: string;
}

export interface FleetView {
  rows: DeviceSummary[];
  /** Per status, over the site and search filters but not the status filter (like the API's counts). */
  counts: StatusCounts;
  /** Devices matching the site and search filters. */
  matching: number;
}

const STATUS_RANK: Record<DeviceStatus, number> = { offline: 0, degraded: 1, online: 2 };

/** "Chiller 5" before "Chiller 12": numbers compare by value, letters without case. */
export const naturalKey = (text: string): string =>
  text.toLowerCase().replace(/\d+/g, (digits) => digits.replace(/^0+(?=\d)/, '').padStart(12, '0'));

export function siteOptions(devices: readonly DeviceSummary[]): SiteOption[] {
  const names = new Map<string, string>();
  for (const device of devices) if (!names.has(device.site)) names.set(device.site, device.siteName);
  return [...names].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}

export function matchesSearch(device: DeviceSummary, search: string): boolean {
  if (search === '') return true;
  return (
    device.name.toLowerCase().includes(search) ||
    device.id.toLowerCase().includes(search) ||
    device.siteName.toLowerCase().includes(search)
  );
}

type SortKey = number | string | null;

/** The primary sort value; `null` (a missing reading) always sorts last. */
function primaryKey(device: DeviceSummary, sort: FleetSort): SortKey {
  switch (sort) {
    case 'name':
      return naturalKey(device.name);
    case 'status':
      return STATUS_RANK[device.status];
    case 'site':
      return naturalKey(device.siteName);
    case 'lastSeen':
    case '-lastSeen':
      return Date.parse(device.lastSeen);
    case '-temperature':
      return device.readings.temperature;
    case 'battery':
      return device.readings.battery;
    case 'signal':
      return device.readings.signal;
  }
}

const DESCENDING: ReadonlySet<FleetSort> = new Set(['-lastSeen', '-temperature']);

export function sortDevices(devices: readonly DeviceSummary[], sort: FleetSort): DeviceSummary[] {
  const direction = DESCENDING.has(sort) ? -1 : 1;
  const keyed = devices.map((device) => ({
    device,
    primary: primaryKey(device, sort),
    name: naturalKey(device.name),
    id: naturalKey(device.id),
  }));
  keyed.sort((a, b) => {
    if (a.primary !== b.primary) {
      if (a.primary === null) return 1;
      if (b.primary === null) return -1;
      return (a.primary < b.primary ? -1 : 1) * direction;
    }
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return keyed.map((k) => k.device);
}

export function fleetView(devices: readonly DeviceSummary[], filters: FleetFilters): FleetView {
  const search = filters.q.trim().toLowerCase();
  const counts: StatusCounts = { online: 0, degraded: 0, offline: 0 };
  const selected: DeviceSummary[] = [];
  let matching = 0;
  for (const device of devices) {
    if (filters.site && device.site !== filters.site) continue;
    if (!matchesSearch(device, search)) continue;
    matching++;
    counts[device.status]++;
    if (!filters.status || device.status === filters.status) selected.push(device);
  }
  return { rows: sortDevices(selected, filters.sort), counts, matching };
}
