// Shared by the component tests (not part of the app): a fake same-origin server behind `fetch`.
import { vi } from 'vitest';
import type { DeviceDetails, SessionInfo } from './api/types.ts';

export type Handler = (request: {
  method: string;
  path: string;
  body: unknown;
}) => Response | Promise<Response>;

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** Routes `fetch` by "METHOD /path" (query string ignored); unknown routes answer 404. */
export function fakeServer(routes: Record<string, Handler>) {
  const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost:3000');
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({
      method,
      path: url.pathname + url.search,
      body,
      headers: init.headers as Record<string, string>,
    });
    const handler = routes[`${method} ${url.pathname}`];
    return handler
      ? handler({ method, path: url.pathname, body })
      : json(404, { error: 'not_found', message: 'no route' });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

export const operatorSession: SessionInfo = {
  authenticated: true,
  user: { sub: 'usr-operator-0001', name: 'Olivia Operator', roles: ['operator'] },
  session: { startedAt: '2025-06-01T10:00:00.000Z', expiresAt: '2025-06-01T12:00:00.000Z' },
};

export const viewerSession: SessionInfo = {
  authenticated: true,
  user: { sub: 'usr-viewer-0001', name: 'Victor Viewer', roles: ['viewer'] },
  session: { startedAt: '2025-06-01T10:00:00.000Z', expiresAt: null },
};

export const sampleDevice: DeviceDetails = {
  id: 'dev-0001',
  name: 'Chiller 5',
  site: 'austin-lab',
  siteName: 'Austin Lab',
  model: 'FrostGuard FG-2',
  type: 'cold-chain-sensor',
  status: 'online',
  lastSeen: '2025-06-01T12:00:00.000Z',
  readings: { temperature: 4.1, humidity: 39.7, battery: 52, signal: -67 },
  activeAlerts: 0,
  manufacturer: 'Polar Instruments',
  serialNumber: 'SN-1',
  firmwareVersion: '2.0.6',
  reportIntervalSeconds: 60,
  timezoneOffsetHours: -6,
  thresholds: {
    temperature: { warning: 8, critical: 12 },
    humidity: { warning: 80 },
    battery: { warning: 20, critical: 10 },
    signal: { info: -105 },
  },
  units: { temperature: '°C', humidity: '%', battery: '%', signal: 'dBm' },
  alerts: [],
  commands: [],
};
