import { describe, expect, it } from 'vitest';
import { createDevice, createFleet, formatDeviceId, parseDeviceId, SITES } from './fleet.ts';
import { hash32, smoothNoise, unit } from './hash.ts';

describe('hash', () => {
  it('is deterministic and sensitive to every input, including bits above 32', () => {
    expect(hash32(1, 2, 3)).toBe(hash32(1, 2, 3));
    expect(hash32(1, 2, 3)).not.toBe(hash32(1, 2, 4));
    expect(hash32(1, 2)).not.toBe(hash32(2, 1));
    expect(hash32(0)).not.toBe(hash32(2 ** 32));
    expect(hash32(29_145_876)).toBe(hash32(29_145_876));
  });

  it('spreads unit() evenly enough over [0, 1)', () => {
    const buckets = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const u = unit(7, i);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      buckets[Math.floor(u * 4)] = (buckets[Math.floor(u * 4)] ?? 0) + 1;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(850);
  });

  it('smoothNoise stays in [-1, 1] and is continuous across knots', () => {
    for (let t = 0; t < 100 * 60_000; t += 7_000) {
      const n = smoothNoise(3, t, 60_000);
      expect(Math.abs(n)).toBeLessThanOrEqual(1);
      expect(Math.abs(smoothNoise(3, t + 1, 60_000) - n)).toBeLessThan(0.01);
    }
  });
});

describe('device ids', () => {
  it('formats and parses canonical ids only', () => {
    expect(formatDeviceId(0)).toBe('dev-0001');
    expect(formatDeviceId(9_999)).toBe('dev-10000');
    expect(parseDeviceId('dev-0001')).toBe(0);
    expect(parseDeviceId('dev-0120')).toBe(119);
    expect(parseDeviceId('dev-10000')).toBe(9_999);
    for (const bad of ['dev-0000', 'dev-00001', 'dev-1', 'DEV-0001', 'dev-0001 ', 'dev-1e3', 'x']) {
      expect(parseDeviceId(bad), bad).toBeUndefined();
    }
  });
});

describe('createFleet', () => {
  it('derives every device from its index alone', () => {
    const a = createFleet(120);
    const b = createFleet(120);
    expect(a.devices).toEqual(b.devices);
    expect(createFleet(10).devices).toEqual(a.devices.slice(0, 10));
    expect(createDevice(42)).toEqual(a.devices[42]);
  });

  it('gives the first device the same identity everywhere (pinned)', () => {
    const first = createFleet(1).devices[0];
    expect(first).toMatchObject({
      id: 'dev-0001',
      name: 'Chiller 5',
      site: { id: 'austin-lab' },
      model: { model: 'FrostGuard FG-2', type: 'cold-chain-sensor' },
      serialNumber: 'SN-47F166F5',
      firmwareVersion: '2.0.6',
      thresholds: { temperature: { warning: 8, critical: 12 } },
    });
  });

  it('spreads 120 devices over all six sites with mixed reliability', () => {
    const fleet = createFleet(120);
    expect(SITES).toHaveLength(6);
    for (const site of SITES) {
      expect(fleet.devices.filter((d) => d.site.id === site.id).length).toBeGreaterThan(5);
    }
    const reliability = new Set(fleet.devices.map((d) => d.profile.reliability));
    expect([...reliability].sort()).toEqual(['flaky', 'outage_prone', 'stable']);
    expect(new Set(fleet.devices.map((d) => d.id)).size).toBe(120);
  });

  it('looks devices up by id within the fleet only', () => {
    const fleet = createFleet(120);
    expect(fleet.get('dev-0120')?.index).toBe(119);
    expect(fleet.get('dev-0121')).toBeUndefined();
    expect(fleet.get('dev-00001')).toBeUndefined();
  });

  it.each([0, -1, 10_001, 1.5, Number.NaN])('refuses fleetSize %s with a RangeError', (size) => {
    expect(() => createFleet(size)).toThrow(RangeError);
  });
});
