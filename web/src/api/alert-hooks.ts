import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './http.ts';
import { type AlertListFilters, queryKeys } from './query-keys.ts';
import type { Alert, AlertPage, DeviceDetails } from './types.ts';

export const ALERTS_POLL_MS = 15_000;
export const ALERTS_SHOWN = 200;

function alertListPath(filters: AlertListFilters): string {
  const params = new URLSearchParams({ limit: String(ALERTS_SHOWN) });
  if (filters.view === 'active') params.set('active', 'true');
  if (filters.view === 'open') params.set('status', 'open');
  if (filters.severity) params.set('severity', filters.severity);
  return `/api/alerts?${params}`;
}

/** Alerts newest first (the API's order), polled. */
export function useAlerts(filters: AlertListFilters) {
  return useQuery({
    queryKey: queryKeys.alerts.list(filters),
    queryFn: ({ signal }) => request<AlertPage>(alertListPath(filters), { signal }),
    refetchInterval: ALERTS_POLL_MS,
    placeholderData: keepPreviousData,
    meta: { label: 'alerts' },
  });
}

const replaceAlert = (alerts: Alert[], updated: Alert) =>
  alerts.map((alert) => (alert.id === updated.id ? updated : alert));

/** Acknowledges an alert; the answer is shown at once, then every alert list is fetched again. */
export function useAcknowledgeAlert() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (alertId: string) =>
      request<Alert>(`/api/alerts/${encodeURIComponent(alertId)}/ack`, { method: 'POST', body: {} }),
    onSuccess: async (updated) => {
      queryClient.setQueriesData<AlertPage>({ queryKey: queryKeys.alerts.all() }, (page) =>
        page ? { ...page, items: replaceAlert(page.items, updated) } : page,
      );
      queryClient.setQueryData<DeviceDetails>(queryKeys.devices.detail(updated.deviceId), (device) =>
        device ? { ...device, alerts: replaceAlert(device.alerts, updated) } : device,
      );
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.alerts.all() }),
        queryClient.invalidateQueries({ queryKey: queryKeys.devices.detail(updated.deviceId), exact: true }),
      ]);
    },
  });
}
