import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { fetchAllDevices } from './fetch-all-devices.ts';
import { request } from './http.ts';
import { queryKeys } from './query-keys.ts';
import type { DeviceDetails, DevicePage } from './types.ts';

export const FLEET_POLL_MS = 15_000;
export const DEVICE_POLL_MS = 15_000;

/** Every device of the fleet, polled; filters and sorting happen on the client (fleet-view.ts). */
export function useDevices() {
  return useQuery({
    queryKey: queryKeys.devices.list(),
    queryFn: ({ signal }) =>
      fetchAllDevices((offset, limit) =>
        request<DevicePage>(`/api/devices?sort=id&limit=${limit}&offset=${offset}`, { signal }),
      ),
    refetchInterval: FLEET_POLL_MS,
    placeholderData: keepPreviousData,
    meta: { label: 'fleet list' },
  });
}

/** One device with its metadata, recent alerts and commands, polled while its page is open. */
export function useDevice(id: string) {
  return useQuery({
    queryKey: queryKeys.devices.detail(id),
    queryFn: ({ signal }) => request<DeviceDetails>(`/api/devices/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: DEVICE_POLL_MS,
    meta: { label: 'device details' },
  });
}
