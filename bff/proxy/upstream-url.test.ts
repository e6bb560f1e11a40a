import { describe, expect, it } from 'vitest';
import { createUpstreamUrlMapper } from './upstream-url.ts';

const upstream = 'http://127.0.0.1:4100/v1';
const mapUrl = createUpstreamUrlMapper(upstream);
const map = (path: string) => mapUrl(`http://localhost:3000${path}`);

describe('mapping /api/* onto the upstream', () => {
  it.each([
    ['/api/devices', 'http://127.0.0.1:4100/v1/devices'],
    [
      '/api/devices/dev-0001/telemetry?metric=battery&from=1',
      'http://127.0.0.1:4100/v1/devices/dev-0001/telemetry?metric=battery&from=1',
    ],
    ['/api/devices/a%20b', 'http://127.0.0.1:4100/v1/devices/a%20b'],
  ])('%s → %s', (path, expected) => {
    const result = map(path);
    expect(result.ok && result.url.href).toBe(expected);
  });

  it.each([
    '/api',
    '/api/',
    '/api/a//b',
    '/api/%2e%2e/x',
    '/api/.%2E/x',
    '/api/a%2Fb',
    '/api/a%5Cb',
    '/api/%zz',
    '/api/a/%2e',
  ])('refuses %s', (path) => {
    expect(map(path).ok).toBe(false);
  });
});
