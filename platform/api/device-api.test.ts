import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDeviceApi } from './device-api.ts';
import { AUDIENCE, createTestApi, createTestKeys, ISSUER, json, T0 } from './test-support.ts';

describe('createDeviceApi', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers /health without a token', async () => {
    const api = await createTestApi();
    const response = await api.app.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect((await api.app.request('/health', { method: 'HEAD' })).status).toBe(200);
  });

  it('answers unknown routes with 404 not_found, token or not', async () => {
    const api = await createTestApi();
    for (const response of [
      await api.app.request('/nothing/here'),
      await api.call('/devices/dev-0001/firmware'),
    ]) {
      expect(response.status).toBe(404);
      expect((await json(response)).error).toBe('not_found');
    }
  });

  it.each([
    ['DELETE', '/devices', 'GET, HEAD'],
    ['POST', '/models', 'GET, HEAD'],
    ['PUT', '/devices/dev-0001', 'GET, HEAD'],
    ['DELETE', '/devices/dev-0001/commands', 'GET, HEAD, POST'],
    ['GET', '/alerts/alr-dev-0001-battery_low-1/ack', 'POST'],
    ['POST', '/health', 'GET, HEAD'],
  ])('answers %s %s with 405 method_not_allowed', async (method, path, allow) => {
    const api = await createTestApi();
    const response = await api.call(path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe(allow);
    expect((await json(response)).error).toBe('method_not_allowed');
  });

  it('marks every answer as not cacheable', async () => {
    const api = await createTestApi();
    expect((await api.call('/devices?limit=1')).headers.get('Cache-Control')).toBe('no-store');
    expect((await api.app.request('/devices')).headers.get('Cache-Control')).toBe('no-store');
    expect((await api.app.request('/devices', { method: 'DELETE' })).headers.get('Cache-Control')).toBe(
      'no-store',
    );
  });

  it('simulates the configured number of devices', async () => {
    const api = await createTestApi({ fleetSize: 5 });
    const body = await json(await api.call('/devices'));
    expect(body.total).toBe(5);
    expect((await api.call('/devices/dev-0006')).status).toBe(404);
  });

  it('serves a fleet of 10,000 devices', async () => {
    const api = await createTestApi({ fleetSize: 10_000 });
    const body = await json(await api.call('/devices?limit=1000&offset=9000'));
    expect(body.total).toBe(10_000);
    expect(body.items.at(-1).id).toBe('dev-10000');
    const counts = body.counts as { online: number; degraded: number; offline: number };
    expect(counts.online + counts.degraded + counts.offline).toBe(10_000);
  });

  it('reads Date.now by default, so vi.setSystemTime moves it', async () => {
    vi.setSystemTime(T0);
    const keys = await createTestKeys();
    const app = createDeviceApi({ issuer: ISSUER, audience: AUDIENCE, getKey: keys.getKey });
    const token = await keys.token(Date.now());
    const body = await json(
      await app.request('/devices?status=offline', { headers: { Authorization: `Bearer ${token}` } }),
    );
    expect(body.items.map((d: { id: string }) => d.id)).toEqual(['dev-0048']);

    vi.setSystemTime(Date.UTC(2025, 5, 1, 17, 16));
    const later = await keys.token(Date.now());
    const after = await json(
      await app.request('/devices/dev-0048', { headers: { Authorization: `Bearer ${later}` } }),
    );
    expect(after.status).toBe('online');
  });

  describe('options', () => {
    const base = async () => ({
      issuer: ISSUER,
      audience: AUDIENCE,
      getKey: (await createTestKeys()).getKey,
    });

    it.each([0, 10_001, 2.5, Number.NaN])(
      'refuses fleetSize %s with a RangeError naming it',
      async (fleetSize) => {
        const options = { ...(await base()), fleetSize };
        expect(() => createDeviceApi(options)).toThrow(RangeError);
        expect(() => createDeviceApi(options)).toThrow(/fleetSize must be an integer from 1 to 10000/);
      },
    );

    it('accepts the command timing bounds', async () => {
      const bounds = { firmwareUpdateMs: 0, rebootMs: 3_600_000, recalibrateMs: 0, firmwareFailureRate: 1 };
      expect(createDeviceApi({ ...(await base()), ...bounds })).toBeDefined();
      expect(createDeviceApi({ ...(await base()), firmwareFailureRate: 0 })).toBeDefined();
    });

    it('accepts the fleetSize bounds', async () => {
      expect(createDeviceApi({ ...(await base()), fleetSize: 1 })).toBeDefined();
      expect(createDeviceApi({ ...(await base()), fleetSize: 10_000 })).toBeDefined();
    });

    it.each([
      ['clockToleranceSeconds', { clockToleranceSeconds: -1 }, RangeError],
      ['expiredTokenStyle', { expiredTokenStyle: 'oauth1' as never }, RangeError],
      ['realm', { realm: 'a"b' }, TypeError],
      ['realm', { realm: '' }, TypeError],
      ['issuer', { issuer: '' }, TypeError],
      ['audience', { audience: ' ' }, TypeError],
      ['getKey', { getKey: 'https://idp/jwks' as never }, TypeError],
      ['firmwareUpdateMs', { firmwareUpdateMs: -1 }, RangeError],
      ['firmwareUpdateMs', { firmwareUpdateMs: 3_600_001 }, RangeError],
      ['firmwareUpdateMs', { firmwareUpdateMs: 1.5 }, RangeError],
      ['rebootMs', { rebootMs: Number.NaN }, RangeError],
      ['recalibrateMs', { recalibrateMs: Number.POSITIVE_INFINITY }, RangeError],
      ['firmwareFailureRate', { firmwareFailureRate: 1.01 }, RangeError],
      ['firmwareFailureRate', { firmwareFailureRate: -0.1 }, RangeError],
    ])('refuses a bad %s', async (name, override, errorType) => {
      const options = { ...(await base()), ...override };
      expect(() => createDeviceApi(options)).toThrow(errorType);
      expect(() => createDeviceApi(options)).toThrow(new RegExp(name));
    });
  });
});
