import type { AutomationApi } from './automation-api.ts';
import type { Selection } from './job-params.ts';

/** A device as the device API lists it (the fields jobs use). */
export interface ListedDevice {
  id: string;
  status: 'online' | 'degraded' | 'offline';
  firmwareVersion?: string;
}

interface DevicePage {
  items: ListedDevice[];
  total: number;
}

const PAGE = 1000;

/** The query string of `GET /devices` for a selection (the filters the device API offers). */
export function selectionQuery(selection: Selection): URLSearchParams {
  const query = new URLSearchParams();
  if (selection.site) query.set('site', selection.site);
  if (selection.model) query.set('model', selection.model);
  if (selection.status) query.set('status', selection.status.join(','));
  if (selection.ids) query.set('ids', selection.ids.join(','));
  return query;
}

/**
 * The ids of the devices a selection matches, in id order: resolved once when a job begins and kept
 * in its checkpoint, so devices that change status later do not move in or out of the job.
 */
export async function resolveSelection(api: AutomationApi, selection: Selection): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const query = selectionQuery(selection);
    query.set('sort', 'id');
    query.set('limit', String(PAGE));
    query.set('offset', String(offset));
    const page = await api.get<DevicePage>(`/devices?${query}`);
    for (const device of page.items) ids.push(device.id);
    if (page.items.length < PAGE || ids.length >= page.total) return ids;
  }
}

/** The current state of some devices in one request. */
export async function devicesById(
  api: AutomationApi,
  ids: readonly string[],
): Promise<Map<string, ListedDevice>> {
  const found = new Map<string, ListedDevice>();
  for (let start = 0; start < ids.length; start += PAGE) {
    const chunk = ids.slice(start, start + PAGE);
    const query = new URLSearchParams({ ids: chunk.join(','), limit: String(PAGE), sort: 'id' });
    const page = await api.get<DevicePage>(`/devices?${query}`);
    for (const device of page.items) found.set(device.id, device);
  }
  return found;
}
