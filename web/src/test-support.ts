// Shared by the component tests (not part of the app): a fake same-origin server behind `fetch`.
import { vi } from 'vitest';
import type { JobDetail, JobSummary } from './api/job-types.ts';
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

/** A job as `GET /bff/jobs` lists it: a firmware rollout Olivia started, running, 40 of 118 done. */
export function sampleJob(overrides: Partial<JobSummary> = {}): JobSummary {
  return {
    id: 'job-0001',
    type: 'firmware-rollout',
    status: 'running',
    pausedReason: null,
    progress: { done: 40, total: 118 },
    initiatedBy: { sub: 'usr-operator-0001', name: 'Olivia Operator' },
    createdAt: '2025-06-01T11:00:00.000Z',
    updatedAt: '2025-06-01T11:05:00.000Z',
    startedAt: '2025-06-01T11:00:05.000Z',
    finishedAt: null,
    error: null,
    hasResult: false,
    nextRunAt: null,
    summary: { updated: 37, already_current: 2, failed: 1 },
    ...overrides,
  };
}

/** The same job as `GET /bff/jobs/:id` answers, with outcomes and its audit trail. */
export function sampleJobDetail(overrides: Partial<JobDetail> = {}): JobDetail {
  return {
    ...sampleJob(),
    params: {
      version: '3.1.0',
      selection: { site: 'austin-lab', status: ['online', 'degraded'] },
      batchSize: 50,
      canary: 5,
      failureThreshold: 0.1,
    },
    items: {
      entries: [
        {
          key: 'dev-0001',
          outcome: 'updated',
          detail: { from: '3.0.2', to: '3.1.0' },
          at: '2025-06-01T11:01:00.000Z',
        },
        {
          key: 'dev-0002',
          outcome: 'failed',
          detail: { error: 'checksum_mismatch' },
          at: '2025-06-01T11:01:10.000Z',
        },
      ],
      total: 40,
      offset: 0,
      limit: 100,
    },
    events: [
      {
        at: '2025-06-01T11:00:00.000Z',
        kind: 'created',
        by: { sub: 'usr-operator-0001', name: 'Olivia Operator' },
        detail: null,
      },
      { at: '2025-06-01T11:00:05.000Z', kind: 'started', by: null, detail: null },
      {
        at: '2025-06-01T11:00:06.000Z',
        kind: 'batch_started',
        by: null,
        detail: { batch: 1, devices: 5, canary: true },
      },
    ],
    ...overrides,
  };
}
