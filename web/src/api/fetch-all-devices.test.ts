import { describe, expect, it, vi } from 'vitest';
import { DEVICE_PAGE_SIZE, fetchAllDevices } from './fetch-all-devices.ts';
import type { DevicePage, DeviceSummary } from './types.ts';

const device = (n: number): DeviceSummary => ({
  id: `dev-${String(n).padStart(4, '0')}`,
  name: `Device ${n}`,
  site: 'ams-dc',
  siteName: 'Amsterdam Data Centre',
  model: 'M',
  type: 't',
  status: 'online',
  lastSeen: '2025-06-01T12:00:00Z',
  readings: { temperature: 1, humidity: 2, battery: 3, signal: -60 },
  activeAlerts: 0,
});

function fleetOf(total: number) {
  return vi.fn(async (offset: number, limit: number): Promise<DevicePage> => {
    const items = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) items.push(device(i + 1));
    return { items, total, limit, offset, counts: { online: total, degraded: 0, offline: 0 } };
  });
}

describe('fetchAllDevices', () => {
  it('fetches pages of 1000 until the total, each offset once', async () => {
    const fetchPage = fleetOf(2500);
    const devices = await fetchAllDevices(fetchPage);
    expect(devices).toHaveLength(2500);
    expect(fetchPage.mock.calls.map(([offset, limit]) => [offset, limit])).toEqual([
      [0, DEVICE_PAGE_SIZE],
      [1000, DEVICE_PAGE_SIZE],
      [2000, DEVICE_PAGE_SIZE],
    ]);
    expect(devices.at(-1)?.id).toBe('dev-2500');
  });

  it('makes one call for a small fleet, and 10 for 10,000 devices', async () => {
    const small = fleetOf(120);
    expect(await fetchAllDevices(small)).toHaveLength(120);
    expect(small).toHaveBeenCalledTimes(1);
    const large = fleetOf(10_000);
    expect(await fetchAllDevices(large)).toHaveLength(10_000);
    expect(large).toHaveBeenCalledTimes(10);
  });

  it('keeps a device that shifted across two pages once', async () => {
    const fetchPage = vi.fn(async (offset: number): Promise<DevicePage> => {
      const items =
        offset === 0
          ? Array.from({ length: 1000 }, (_, i) => device(i + 1))
          : [device(1000), device(1001), device(1002)];
      return { items, total: 1002, limit: 1000, offset, counts: { online: 1002, degraded: 0, offline: 0 } };
    });
    const devices = await fetchAllDevices(fetchPage);
    expect(devices).toHaveLength(1002);
    expect(new Set(devices.map((d) => d.id)).size).toBe(1002);
  });

  it('fails as a whole when a page fails (no half fleet)', async () => {
    const fetchPage = fleetOf(3000);
    fetchPage.mockImplementationOnce(fleetOf(3000)).mockRejectedValueOnce(new Error('502'));
    await expect(fetchAllDevices(fetchPage)).rejects.toThrow('502');
  });
});
