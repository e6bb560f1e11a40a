import { describe, expect, it } from 'vitest';
import type { DeviceStatus, DeviceSummary } from '../api/types.ts';
import { fleetFilters } from '../router/routes.ts';
import { fleetView, naturalKey, siteOptions, sortDevices } from './fleet-view.ts';

let next = 1;
function device(
  name: string,
  status: DeviceStatus,
  extra: Partial<DeviceSummary> & { temperature?: number | null; battery?: number | null } = {},
): DeviceSummary {
  const n = next++;
  return {
    id: `dev-${String(n).padStart(4, '0')}`,
    name,
    site: extra.site ?? 'ams-dc',
    siteName: extra.siteName ?? 'Amsterdam Data Centre',
    model: 'M',
    type: 't',
    status,
    lastSeen: extra.lastSeen ?? '2025-06-01T12:00:00Z',
    readings: {
      temperature: extra.temperature === undefined ? 20 : extra.temperature,
      humidity: 40,
      battery: extra.battery === undefined ? 50 : extra.battery,
      signal: -70,
    },
    activeAlerts: 0,
  };
}

const fleet = [
  device('Chiller 12', 'online', { temperature: 4 }),
  device('Chiller 5', 'offline', { temperature: null, lastSeen: '2025-06-01T10:00:00Z' }),
  device('Server Hall 2', 'degraded', {
    site: 'sgp-hub',
    siteName: 'Singapore Hub',
    temperature: 31,
    battery: 9,
  }),
  device('assembly line 1', 'online', { site: 'sgp-hub', siteName: 'Singapore Hub', battery: null }),
];
const names = (devices: readonly DeviceSummary[]) => devices.map((d) => d.name);

describe('fleetView', () => {
  it('counts every status over the site and search filters, but not the status filter', () => {
    const view = fleetView(fleet, fleetFilters({ status: 'online' }));
    expect(view.counts).toEqual({ online: 2, degraded: 1, offline: 1 });
    expect(names(view.rows)).toEqual(['assembly line 1', 'Chiller 12']);
    expect(view.matching).toBe(4);
  });

  it('filters by site', () => {
    const view = fleetView(fleet, fleetFilters({ site: 'sgp-hub' }));
    expect(names(view.rows)).toEqual(['assembly line 1', 'Server Hall 2']);
    expect(view.counts).toEqual({ online: 1, degraded: 1, offline: 0 });
  });

  it('searches names, ids and site names without regard to case', () => {
    expect(names(fleetView(fleet, fleetFilters({ q: '  CHILLER ' })).rows)).toEqual([
      'Chiller 5',
      'Chiller 12',
    ]);
    expect(names(fleetView(fleet, fleetFilters({ q: 'dev-0003' })).rows)).toEqual(['Server Hall 2']);
    expect(names(fleetView(fleet, fleetFilters({ q: 'singapore' })).rows)).toHaveLength(2);
    expect(fleetView(fleet, fleetFilters({ q: 'nothing like it' })).counts).toEqual({
      online: 0,
      degraded: 0,
      offline: 0,
    });
  });
});

describe('sortDevices', () => {
  it('sorts names naturally: Chiller 5 before Chiller 12, case ignored', () => {
    expect(names(sortDevices(fleet, 'name'))).toEqual([
      'assembly line 1',
      'Chiller 5',
      'Chiller 12',
      'Server Hall 2',
    ]);
    expect(naturalKey('Dev 007') < naturalKey('dev 10')).toBe(true);
  });

  it('puts problems first when sorting by status', () => {
    expect(sortDevices(fleet, 'status').map((d) => d.status)).toEqual([
      'offline',
      'degraded',
      'online',
      'online',
    ]);
  });

  it('sorts readings in the useful direction with missing readings last', () => {
    expect(names(sortDevices(fleet, '-temperature'))).toEqual([
      'Server Hall 2',
      'assembly line 1',
      'Chiller 12',
      'Chiller 5',
    ]);
    expect(names(sortDevices(fleet, 'battery'))).toEqual([
      'Server Hall 2',
      'Chiller 5',
      'Chiller 12',
      'assembly line 1',
    ]);
  });

  it('sorts by last contact both ways, and leaves its input alone', () => {
    const input = [...fleet];
    expect(sortDevices(input, 'lastSeen')[0]?.name).toBe('Chiller 5');
    expect(sortDevices(input, '-lastSeen').at(-1)?.name).toBe('Chiller 5');
    expect(input).toEqual(fleet);
  });

  it('filters, counts and sorts a fleet of 10,000 devices correctly', () => {
    // 7919 is prime to 10,000, so the names are "Cold Room 0" … "Cold Room 9999" in scrambled order.
    const many = Array.from({ length: 10_000 }, (_, i) =>
      device(`Cold Room ${(i * 7919) % 10_000}`, i % 3 === 0 ? 'offline' : 'online', {
        site: i % 2 === 0 ? 'ams-dc' : 'sgp-hub',
      }),
    );
    const numberOf = (d: DeviceSummary) => Number(d.name.slice('Cold Room '.length));
    const isSortedByNumber = (rows: readonly DeviceSummary[]) =>
      rows.every((d, i) => i === 0 || numberOf(rows[i - 1] as DeviceSummary) < numberOf(d));

    const view = fleetView(many, fleetFilters({ sort: 'status' }));
    expect(view.matching).toBe(10_000);
    expect(view.counts).toEqual({ online: 6666, degraded: 0, offline: 3334 });
    expect(new Set(view.rows.map((d) => d.id)).size).toBe(10_000);
    // Offline first, then online; within each status, natural name order (Cold Room 9 before 10).
    const offline = view.rows.slice(0, 3334);
    const online = view.rows.slice(3334);
    expect(offline.every((d) => d.status === 'offline')).toBe(true);
    expect(online.every((d) => d.status === 'online')).toBe(true);
    expect(isSortedByNumber(offline)).toBe(true);
    expect(isSortedByNumber(online)).toBe(true);

    const filtered = fleetView(many, fleetFilters({ site: 'sgp-hub', status: 'offline', sort: 'name' }));
    const expected = many
      .filter((_, i) => i % 2 === 1 && i % 3 === 0)
      .map(numberOf)
      .sort((a, b) => a - b);
    expect(filtered.rows.map(numberOf)).toEqual(expected);
    expect(filtered.matching).toBe(5000);
    expect(filtered.counts).toEqual({ online: 3333, degraded: 0, offline: 1667 });
  });
});

describe('siteOptions', () => {
  it('lists each site once, by name', () => {
    expect(siteOptions(fleet)).toEqual([
      { id: 'ams-dc', name: 'Amsterdam Data Centre' },
      { id: 'sgp-hub', name: 'Singapore Hub' },
    ]);
  });
});
