import { describe, expect, it } from 'vitest';
import { createTestApi, json, T0, VIEWER_SCOPE } from './test-support.ts';

const LOW_BATTERY = 'alr-dev-0014-battery_low-29146039';
const iso = (ms: number) => new Date(ms).toISOString();
const ids = (body: { items: { id: string }[] }) => body.items.map((a) => a.id);

describe('GET /alerts', () => {
  it('lists the last day of alerts, newest first (pinned)', async () => {
    const api = await createTestApi();
    const body = await json(await api.call('/alerts?limit=1000'));
    expect(body.total).toBe(62);
    expect(body.items).toHaveLength(62);
    const raised = body.items.map((a: { raisedAt: string }) => a.raisedAt);
    expect(raised).toEqual([...raised].sort().reverse());
    expect(body.items[0]).toEqual({
      id: 'alr-dev-0028-humidity_high-29146059',
      deviceId: 'dev-0028',
      deviceName: expect.any(String),
      site: expect.any(String),
      rule: 'humidity_high',
      metric: 'humidity',
      severity: 'warning',
      value: expect.any(Number),
      threshold: 80,
      unit: '%',
      message: expect.stringContaining('Humidity'),
      raisedAt: '2025-06-01T09:41:00.000Z',
      active: false,
      resolvedAt: expect.any(String),
      status: 'open',
      acknowledgedBy: null,
      acknowledgedAt: null,
    });
    expect(body.items[0].value).toBeGreaterThan(80);
  });

  it('filters by status, activity, severity, device and site', async () => {
    const api = await createTestApi();
    const active = await json(await api.call('/alerts?status=open&active=true'));
    expect(ids(active)).toEqual([
      'alr-dev-0014-battery_low-29146039',
      'alr-dev-0024-battery_low-29145892',
      'alr-dev-0012-battery_critical-29145876',
      'alr-dev-0048-device_offline-29144899',
      'alr-dev-0012-battery_low-29144676',
    ]);

    const critical = await json(await api.call('/alerts?severity=critical&limit=1000'));
    expect(critical.total).toBeGreaterThan(0);
    expect(critical.items.every((a: { severity: string }) => a.severity === 'critical')).toBe(true);

    const mixed = await json(await api.call('/alerts?severity=info,warning&limit=1000'));
    expect(mixed.total + critical.total).toBe(62);

    const device = await json(await api.call('/alerts?deviceId=dev-0012&active=true'));
    expect(ids(device)).toEqual([
      'alr-dev-0012-battery_critical-29145876',
      'alr-dev-0012-battery_low-29144676',
    ]);

    const site = await json(await api.call('/alerts?site=oslo-wh&limit=1000'));
    expect(site.items.every((a: { site: string }) => a.site === 'oslo-wh')).toBe(true);

    const page = await json(await api.call('/alerts?limit=2&offset=1'));
    const all = await json(await api.call('/alerts?limit=3'));
    expect(ids(page)).toEqual(ids(all).slice(1, 3));
  });

  it('follows the clock: an outage alert resolves when the device reports again', async () => {
    const api = await createTestApi();
    const offline = 'alr-dev-0048-device_offline-29144899';
    expect(ids(await json(await api.call('/alerts?active=true')))).toContain(offline);
    api.clock.set(Date.UTC(2025, 5, 1, 17, 16));
    expect(ids(await json(await api.call('/alerts?active=true')))).not.toContain(offline);
    expect(await json(await api.call(`/alerts/${offline}`))).toMatchObject({
      active: false,
      resolvedAt: '2025-06-01T17:16:00.000Z',
      severity: 'critical',
    });
    api.clock.set(Date.UTC(2025, 5, 2, 17, 16));
    expect((await api.call(`/alerts/${offline}`)).status).toBe(404);
  });

  it('lets a viewer read alerts', async () => {
    const api = await createTestApi();
    const response = await api.call('/alerts', { token: { scope: VIEWER_SCOPE } });
    expect(response.status).toBe(200);
  });

  it.each([
    ['status=closed', 400, 'invalid_query'],
    ['severity=high', 400, 'invalid_query'],
    ['deviceId=abc', 400, 'invalid_query'],
    ['deviceId=dev-0999', 404, 'not_found'],
    ['site=mars', 400, 'invalid_query'],
    ['active=yes', 400, 'invalid_query'],
    ['limit=0', 400, 'invalid_query'],
    ['limit=5000', 400, 'invalid_query'],
    ['offset=x', 400, 'invalid_query'],
  ])('refuses ?%s with %i %s', async (query, status, code) => {
    const api = await createTestApi();
    const response = await api.call(`/alerts?${query}`);
    expect(response.status).toBe(status);
    expect((await json(response)).error).toBe(code);
  });
});

describe('GET /alerts/:id', () => {
  it('returns one alert', async () => {
    const api = await createTestApi();
    const body = await json(await api.call(`/alerts/${LOW_BATTERY}`));
    expect(body).toMatchObject({
      id: LOW_BATTERY,
      deviceId: 'dev-0014',
      value: 19,
      raisedAt: '2025-06-01T07:19:00.000Z',
    });
  });

  it.each([
    ['nonsense', 400, 'invalid_id'],
    ['alr-dev-0014-battery_empty-29146039', 400, 'invalid_id'],
    ['alr-dev-0014-battery_low-1', 404, 'not_found'],
    ['alr-dev-0999-battery_low-29146039', 404, 'not_found'],
  ])('answers /alerts/%s with %i %s', async (id, status, code) => {
    const api = await createTestApi();
    const response = await api.call(`/alerts/${id}`);
    expect(response.status).toBe(status);
    expect((await json(response)).error).toBe(code);
  });
});

describe('POST /alerts/:id/ack', () => {
  it('records who acknowledged and when, and moves the alert out of the open list', async () => {
    const api = await createTestApi();
    const response = await api.call(`/alerts/${LOW_BATTERY}/ack`, {
      method: 'POST',
      token: { sub: 'alice' },
    });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      id: LOW_BATTERY,
      status: 'acknowledged',
      acknowledgedBy: 'alice',
      acknowledgedAt: iso(T0),
      active: true,
    });

    expect(ids(await json(await api.call('/alerts?status=open&limit=1000')))).not.toContain(LOW_BATTERY);
    expect(ids(await json(await api.call('/alerts?status=acknowledged')))).toEqual([LOW_BATTERY]);
    const device = await json(await api.call('/devices/dev-0014'));
    expect(device.alerts.find((a: { id: string }) => a.id === LOW_BATTERY)).toMatchObject({
      acknowledgedBy: 'alice',
    });
  });

  it('is idempotent: a second acknowledgement keeps the first one', async () => {
    const api = await createTestApi();
    await api.call(`/alerts/${LOW_BATTERY}/ack`, { method: 'POST', token: { sub: 'alice' } });
    api.clock.advance(120_000);
    const again = await api.call(`/alerts/${LOW_BATTERY}/ack`, {
      method: 'POST',
      body: {},
      token: { sub: 'bob' },
    });
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ acknowledgedBy: 'alice', acknowledgedAt: iso(T0) });
  });

  it('keeps acknowledgements per API instance only, and not for other alerts', async () => {
    const api = await createTestApi();
    await api.call(`/alerts/${LOW_BATTERY}/ack`, { method: 'POST' });
    const other = await json(await api.call('/alerts/alr-dev-0024-battery_low-29145892'));
    expect(other.status).toBe('open');
    const fresh = await createTestApi();
    expect((await json(await fresh.call(`/alerts/${LOW_BATTERY}`))).status).toBe('open');
  });

  it('changes nothing when a viewer tries', async () => {
    const api = await createTestApi();
    const refused = await api.call(`/alerts/${LOW_BATTERY}/ack`, {
      method: 'POST',
      token: { scope: VIEWER_SCOPE },
    });
    expect(refused.status).toBe(403);
    expect((await json(await api.call(`/alerts/${LOW_BATTERY}`))).status).toBe('open');
  });

  it.each([
    ['a field', { body: { note: 'checked' } }, 400, 'invalid_body'],
    ['an array', { body: [] }, 400, 'invalid_body'],
    ['broken JSON', { rawBody: '{', headers: { 'Content-Type': 'application/json' } }, 400, 'invalid_json'],
    [
      'plain text',
      { rawBody: 'ack', headers: { 'Content-Type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
  ])('refuses a body with %s', async (_, init, status, code) => {
    const api = await createTestApi();
    const response = await api.call(`/alerts/${LOW_BATTERY}/ack`, { method: 'POST', ...init });
    expect(response.status).toBe(status);
    expect((await json(response)).error).toBe(code);
    expect((await json(await api.call(`/alerts/${LOW_BATTERY}`))).status).toBe('open');
  });

  it.each([
    ['alr-dev-0014-battery_low-1', 404, 'not_found'],
    ['alr-nope', 400, 'invalid_id'],
  ])('answers an acknowledgement of %s with %i %s', async (id, status, code) => {
    const api = await createTestApi();
    const response = await api.call(`/alerts/${id}/ack`, { method: 'POST' });
    expect(response.status).toBe(status);
    expect((await json(response)).error).toBe(code);
  });
});
