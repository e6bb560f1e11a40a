import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { RANGE_MS, type RangeKey } from '../router/routes.ts';
import { request } from './http.ts';
import { queryKeys } from './query-keys.ts';
import type { Metric, Telemetry } from './types.ts';

// Devices report once a minute: polling faster would only fetch the same points again.
export const TELEMETRY_POLL_MS = 60_000;

/** One metric of one device over the last `range`; the window moves with every poll. */
export function useTelemetry(deviceId: string, metric: Metric, range: RangeKey) {
  return useQuery({
    queryKey: queryKeys.devices.telemetry(deviceId, metric, range),
    queryFn: ({ signal }) => {
      const to = Date.now();
      const params = new URLSearchParams({ metric, from: String(to - RANGE_MS[range]), to: String(to) });
      return request<Telemetry>(`/api/devices/${encodeURIComponent(deviceId)}/telemetry?${params}`, {
        signal,
      });
    },
    refetchInterval: TELEMETRY_POLL_MS,
    placeholderData: keepPreviousData,
    meta: { label: `${metric} chart` },
  });
}
