import { describe, expect, it } from 'vitest';
import { createTestApi, createTestKeys, json, T0 } from './test-support.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /devices', () => {
  it('lists the first page sorted by id with status counts (pinned)', async () => {
    const api = await createTestApi();
    const body = await json(await api.call('/devices'));
    expect(body.total).toBe(120);
    expect(body.limit).toBe(100);
    expect(body.offset).toBe(0);
    expect(body.items).toHaveLength(100);
    expect(body.counts).toEqual({ online: 116, degraded: 3, offline: 1 });
    expect(body.items[0]).toEqual({
      id: 'dev-0001',
      name: 'Chiller 5',
      site: 'austin-lab',
      siteName: 'Austin Lab',
      model: 'FrostGuard FG-2',
      type: 'cold-chain-sensor',
      firmwareVersion: '2.0.6',
      status: 'online',
      lastSeen: iso(T0),
      readings: { temperature: 3.3, humidity: 55.1, battery: 90, signal: -62 },
      activeAlerts: 0,
    });
    expect(body.items[99].id).toBe('dev-0100');
  });

  it('filters by status, keeping counts over the unfiltered statuses', async () => {
    const api = await createTestApi();
    const offline = await json(await api.call('/devices?status=offline'));
    expect(offline.total).toBe(1);
    expect(offline.counts).toEqual({ online: 116, degraded: 3, offline: 1 });
    expect(offline.items[0]).toMatchObject({
      id: 'dev-0048',
      status: 'offline',
      lastSeen: '2025-05-31T12:18:00.000Z',
      activeAlerts: 1,
    });
    expect(typeof offline.items[0].readings.temperature).toBe('number');

    const degraded = await json(await api.call('/devices?status=degraded'));
    expect(degraded.items.map((d: { id: string }) => d.id)).toEqual(['dev-0012', 'dev-0014', 'dev-0024']);

    const both = await json(await api.call('/devices?status=degraded,offline'));
    expect(both.total).toBe(4);
  });

  it('filters by site and free text, case-insensitively', async () => {
    const api = await createTestApi();
    const austin = await json(await api.call('/devices?site=austin-lab&limit=1000'));
    expect(austin.total).toBe(20);
    expect(austin.items.every((d: { site: string }) => d.site === 'austin-lab')).toBe(true);
    expect(Object.values(austin.counts as Record<string, number>).reduce((a, b) => a + b)).toBe(20);

    const one = await json(await api.call('/devices?q=DEV-0001'));
    expect(one.items.map((d: { id: string }) => d.id)).toEqual(['dev-0001']);

    const chillers = await json(await api.call('/devices?q=chiller&limit=1000'));
    expect(chillers.total).toBeGreaterThan(0);
    expect(chillers.items.every((d: { name: string }) => d.name.startsWith('Chiller'))).toBe(true);
  });

  it('filters by model, with counts over the models chosen', async () => {
    const api = await createTestApi();
    const frost = await json(await api.call('/devices?model=FrostGuard%20FG-2&limit=1000'));
    expect(frost.total).toBe(27);
    expect(frost.items.every((d: { model: string }) => d.model === 'FrostGuard FG-2')).toBe(true);
    expect(Object.values(frost.counts as Record<string, number>).reduce((a, b) => a + b)).toBe(27);

    const both = await json(await api.call('/devices?model=FrostGuard+FG-2,TrackTag+TT-3&limit=1000'));
    expect(both.total).toBe(27 + 18);

    const here = await json(await api.call('/devices?model=FrostGuard+FG-2&site=austin-lab&limit=1000'));
    expect(here.items.every((d: { site: string; model: string }) => d.site === 'austin-lab')).toBe(true);
    expect(here.total).toBeLessThan(27);
  });

  it('resolves an explicit selection with ids, in the requested sort, unknown ids matching nothing', async () => {
    const api = await createTestApi();
    const some = await json(await api.call('/devices?ids=dev-0048,dev-0003,dev-0001,dev-0003,dev-0999'));
    expect(some.items.map((d: { id: string }) => d.id)).toEqual(['dev-0001', 'dev-0003', 'dev-0048']);
    expect(some.total).toBe(3);
    expect(some.counts).toEqual({ online: 2, degraded: 0, offline: 1 });

    const offline = await json(await api.call('/devices?ids=dev-0048,dev-0003&status=offline'));
    expect(offline.items.map((d: { id: string }) => d.id)).toEqual(['dev-0048']);
    expect(offline.counts).toEqual({ online: 1, degraded: 0, offline: 1 });
  });

  it('takes up to 1,000 ids in one request', async () => {
    const api = await createTestApi({ fleetSize: 10_000 });
    const ids = Array.from({ length: 1_000 }, (_, i) => `dev-${String(9_001 + i).padStart(4, '0')}`);
    const body = await json(await api.call(`/devices?limit=1000&ids=${ids.join(',')}`));
    expect(body.total).toBe(1_000);
    expect(body.items.map((d: { id: string }) => d.id)).toEqual(ids);
    const tooMany = await api.call(`/devices?ids=${[...ids, 'dev-0001'].join(',')}`);
    expect(tooMany.status).toBe(400);
    expect((await json(tooMany)).message).toContain('at most 1000');
  });

  it('sorts by any field, either way, missing readings last', async () => {
    const api = await createTestApi();
    const byBattery = await json(await api.call('/devices?sort=-battery&limit=1000'));
    const batteries = byBattery.items.map((d: { readings: { battery: number } }) => d.readings.battery);
    expect(batteries).toEqual([...batteries].sort((a, b) => b - a));

    const byStatus = await json(await api.call('/devices?sort=status&limit=5'));
    expect(byStatus.items.map((d: { id: string; status: string }) => `${d.id}:${d.status}`)).toEqual([
      'dev-0048:offline',
      'dev-0012:degraded',
      'dev-0014:degraded',
      'dev-0024:degraded',
      'dev-0001:online',
    ]);

    const byName = await json(await api.call('/devices?sort=-name&limit=1000'));
    const names = byName.items.map((d: { name: string }) => d.name);
    expect(names).toEqual([...names].sort().reverse());
  });

  it('pages with limit and offset', async () => {
    const api = await createTestApi();
    const tail = await json(await api.call('/devices?limit=10&offset=115'));
    expect(tail.items.map((d: { id: string }) => d.id)).toEqual([
      'dev-0116',
      'dev-0117',
      'dev-0118',
      'dev-0119',
      'dev-0120',
    ]);
    const beyond = await json(await api.call('/devices?offset=500'));
    expect(beyond.items).toEqual([]);
    expect(beyond.total).toBe(120);
    const empty = await json(await api.call('/devices?limit=&offset='));
    expect(empty.limit).toBe(100);
  });

  it.each([
    'limit=0',
    'limit=1001',
    'limit=abc',
    'limit=1.5',
    'limit=1e2',
    'offset=-1',
    'status=broken',
    'status=online,',
    'site=mars',
    'model=FrostGuard',
    'model=frostguard+fg-2',
    'model=FrostGuard+FG-2,',
    'ids=dev-1',
    'ids=dev-0001,',
    'ids=dev-0001,device-2',
    'ids=dev-0001&ids=dev-0002',
    'sort=colour',
    'sort=--id',
    'limit=1&limit=2',
    `q=${'x'.repeat(101)}`,
  ])('refuses ?%s with 400 invalid_query', async (query) => {
    const api = await createTestApi();
    const response = await api.call(`/devices?${query}`);
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('invalid_query');
  });
});

describe('GET /sites', () => {
  it('lists the six sites with their device counts', async () => {
    const api = await createTestApi();
    const body = await json(await api.call('/sites'));
    expect(body.items).toHaveLength(6);
    expect(body.items.reduce((sum: number, s: { devices: number }) => sum + s.devices, 0)).toBe(120);
    expect(body.items.find((s: { id: string }) => s.id === 'austin-lab')).toMatchObject({
      name: 'Austin Lab',
      devices: 20,
    });
  });
});

describe('GET /models', () => {
  it('lists the model catalogue with device counts; ids are what devices report as model', async () => {
    const api = await createTestApi();
    const body = await json(await api.call('/models'));
    expect(body.items).toHaveLength(6);
    expect(body.items[0]).toEqual({
      id: 'FrostGuard FG-2',
      name: 'FrostGuard FG-2',
      type: 'cold-chain-sensor',
      manufacturer: 'Polar Instruments',
      devices: 27,
    });
    expect(body.items.reduce((sum: number, m: { devices: number }) => sum + m.devices, 0)).toBe(120);
    const devices = await json(await api.call('/devices?limit=1000'));
    const ids = body.items.map((m: { id: string }) => m.id);
    expect(devices.items.every((d: { model: string }) => ids.includes(d.model))).toBe(true);
  });

  it('needs a token with devices:read', async () => {
    const api = await createTestApi();
    expect((await api.app.request('/models')).status).toBe(401);
    const response = await api.call('/models', { token: { scope: 'openid' } });
    expect(response.status).toBe(403);
  });
});

describe('GET /devices/:id', () => {
  it('describes a degraded device with its alerts', async () => {
    const api = await createTestApi();
    const body = await json(await api.call('/devices/dev-0012'));
    expect(body).toMatchObject({
      id: 'dev-0012',
      status: 'degraded',
      activeAlerts: 2,
      reportIntervalSeconds: 60,
      thresholds: { battery: { warning: 20, critical: 10 } },
      units: { temperature: '°C', signal: 'dBm' },
      commands: [],
    });
    const active = body.alerts.filter((a: { active: boolean }) => a.active).map((a: { id: string }) => a.id);
    expect(active).toEqual(['alr-dev-0012-battery_critical-29145876', 'alr-dev-0012-battery_low-29144676']);
  });

  it('describes an offline device with its offline alert', async () => {
    const api = await createTestApi();
    const body = await json(await api.call('/devices/dev-0048'));
    expect(body.status).toBe('offline');
    expect(body.alerts[0]).toMatchObject({
      rule: 'device_offline',
      severity: 'critical',
      active: true,
      raisedAt: '2025-05-31T12:19:00.000Z',
      resolvedAt: null,
    });
  });

  it('comes back online when the outage ends', async () => {
    const api = await createTestApi();
    api.clock.set(Date.UTC(2025, 5, 1, 17, 16));
    const body = await json(await api.call('/devices/dev-0048'));
    expect(body.status).toBe('online');
    expect(body.lastSeen).toBe('2025-06-01T17:16:00.000Z');
    expect(body.alerts[0]).toMatchObject({
      rule: 'device_offline',
      active: false,
      resolvedAt: '2025-06-01T17:16:00.000Z',
    });
  });

  it.each([
    ['not-a-device', 400, 'invalid_id'],
    ['dev-1', 400, 'invalid_id'],
    ['dev-0121', 404, 'not_found'],
    ['dev-00001', 404, 'not_found'],
    ['dev-0000', 404, 'not_found'],
  ])('answers /devices/%s with %i %s', async (id, status, code) => {
    const api = await createTestApi();
    const response = await api.call(`/devices/${id}`);
    expect(response.status).toBe(status);
    expect((await json(response)).error).toBe(code);
  });
});

describe('GET /devices/:id/telemetry', () => {
  it('returns the last hour at one point per minute by default (pinned)', async () => {
    const api = await createTestApi();
    const body = await json(await api.call('/devices/dev-0001/telemetry?metric=temperature'));
    expect(body).toMatchObject({
      deviceId: 'dev-0001',
      metric: 'temperature',
      unit: '°C',
      from: iso(T0 - 3_600_000),
      to: iso(T0),
      step: 60,
    });
    expect(body.points).toHaveLength(61);
    expect(body.points.at(-1)).toEqual([T0, 3.3]);
  });

  it('accepts ISO timestamps and epoch milliseconds alike', async () => {
    const api = await createTestApi();
    const a = await json(
      await api.call(
        '/devices/dev-0003/telemetry?metric=humidity&from=2025-06-01T10:00:00Z&to=2025-06-01T11:30:00.000Z',
      ),
    );
    const b = await json(
      await api.call(
        `/devices/dev-0003/telemetry?metric=humidity&from=${Date.UTC(2025, 5, 1, 10)}&to=${Date.UTC(2025, 5, 1, 11, 30)}`,
      ),
    );
    const c = await json(
      await api.call(
        '/devices/dev-0003/telemetry?metric=humidity&from=2025-06-01T12:00:00%2B02:00&to=2025-06-01T11:30:00Z',
      ),
    );
    expect(a.points).toHaveLength(91);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('cuts a future `to` back to now', async () => {
    const api = await createTestApi();
    const body = await json(
      await api.call(`/devices/dev-0001/telemetry?metric=battery&from=${T0 - 600_000}&to=${T0 + DAY}`),
    );
    expect(body.to).toBe(iso(T0));
    expect(body.points.at(-1)[0]).toBe(T0);
  });

  it('downsamples a 31-day range by raising the step', async () => {
    const api = await createTestApi();
    const body = await json(
      await api.call(`/devices/dev-0001/telemetry?metric=signal&from=${T0 - 31 * DAY}&to=${T0}&step=60`),
    );
    expect(body.step).toBe(1_800);
    expect(body.points).toHaveLength(31 * 48 + 1);
  });

  it('keeps a requested step that fits', async () => {
    const api = await createTestApi();
    const body = await json(
      await api.call(`/devices/dev-0001/telemetry?metric=signal&from=${T0 - DAY}&step=3600`),
    );
    expect(body.step).toBe(3_600);
    expect(body.points).toHaveLength(25);
  });

  it('shows an outage as nulls', async () => {
    const api = await createTestApi();
    const body = await json(
      await api.call(
        '/devices/dev-0048/telemetry?metric=temperature&from=2025-05-31T12:00:00Z&to=2025-05-31T12:30:00Z',
      ),
    );
    const values = body.points.map(([, v]: [number, number | null]) => v);
    expect(values.slice(0, 19).every((v: unknown) => typeof v === 'number')).toBe(true);
    expect(values.slice(19)).toEqual(Array(12).fill(null));
  });

  it.each([
    ['', 'invalid_query'],
    ['metric=pressure', 'invalid_query'],
    ['metric=temperature&step=30', 'invalid_query'],
    ['metric=temperature&step=90', 'invalid_query'],
    ['metric=temperature&step=86460', 'invalid_query'],
    ['metric=temperature&step=ten', 'invalid_query'],
    ['metric=temperature&from=yesterday', 'invalid_query'],
    ['metric=temperature&from=2024-02-30T00:00:00Z', 'invalid_query'],
    ['metric=temperature&from=2025-06-01T10:00:00', 'invalid_query'],
    ['metric=temperature&from=1e12', 'invalid_query'],
    ['metric=temperature&from=-5', 'invalid_query'],
    ['metric=temperature&to=99999999999999999', 'invalid_query'],
    ['metric=temperature&metric=humidity', 'invalid_query'],
    [`metric=temperature&from=${T0}&to=${T0}`, 'invalid_range'],
    [`metric=temperature&from=${T0 - 600_000}&to=${T0 - 1_200_000}`, 'invalid_range'],
    [`metric=temperature&from=${T0 + 60_000}`, 'invalid_range'],
    [`metric=temperature&from=${T0 - 31 * DAY - 1}&to=${T0}`, 'invalid_range'],
  ])('refuses ?%s with 400 %s', async (query, code) => {
    const api = await createTestApi();
    const response = await api.call(`/devices/dev-0001/telemetry?${query}`);
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe(code);
  });

  it('answers unknown and malformed devices before looking at the query', async () => {
    const api = await createTestApi();
    expect((await api.call('/devices/dev-0999/telemetry?metric=temperature')).status).toBe(404);
    expect((await api.call('/devices/xyz/telemetry?metric=temperature')).status).toBe(400);
  });
});

describe('determinism across instances', () => {
  it('gives identical answers from two separately created APIs', async () => {
    const keys = await createTestKeys();
    const first = await createTestApi({}, keys);
    const second = await createTestApi({}, keys);
    for (const path of [
      '/devices?limit=1000',
      '/devices/dev-0077',
      `/devices/dev-0077/telemetry?metric=temperature&from=${T0 - 7 * DAY}`,
      '/alerts?limit=1000',
    ]) {
      const a = await json(await first.call(path));
      const b = await json(await second.call(path));
      expect(b, path).toEqual(a);
    }
  });
});
