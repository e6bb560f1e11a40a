import type { DevicePage, DeviceSummary } from './types.ts';

// The whole fleet in pages of the API's maximum size: the first page says how many there are, the
// rest are fetched together. Sorted by id on the server, so pages do not shift between calls.

export const DEVICE_PAGE_SIZE = 1000;

export type FetchDevicePage = (offset: number, limit: number) => Promise<DevicePage>;

export async function fetchAllDevices(fetchPage: FetchDevicePage): Promise<DeviceSummary[]> {
  const first = await fetchPage(0, DEVICE_PAGE_SIZE);
  const offsets: number[] = [];
  for (let offset = DEVICE_PAGE_SIZE; offset < first.total; offset += DEVICE_PAGE_SIZE) offsets.push(offset);
  const rest = await Promise.all(offsets.map((offset) => fetchPage(offset, DEVICE_PAGE_SIZE)));
  // A device added or removed between two pages could appear twice; keep each id once.
  const seen = new Set<string>();
  const devices: DeviceSummary[] = [];
  for (const page of [first, ...rest]) {
    for (const device of page.items) {
      if (seen.has(device.id)) continue;
      seen.add(device.id);
      devices.push(device);
    }
  }
  return devices;
}
