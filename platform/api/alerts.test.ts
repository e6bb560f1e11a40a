import { describe, expect, it } from 'vitest';
import { type Alert, alertId, deriveDeviceAlerts, deviceIdOfAlertId, type ScanState } from './alerts.ts';
import { BoundedMap } from './bounded-map.ts';
import { createFleet, type Device } from './fleet.ts';
import { isReporting, SAMPLE_MS } from './schedule.ts';
import { simulatedValue } from './telemetry.ts';
import { T0 } from './test-support.ts';

const HOUR = 3_600_000;
const fleet = createFleet(120);
const device = (id: string): Device => {
  const d = fleet.get(id);
  if (!d) throw new Error(`no ${id}`);
  return d;
};

function summary(a: Alert) {
  return {
    id: a.id,
    severity: a.severity,
    value: a.value,
    raisedAt: new Date(a.raisedAt).toISOString(),
    resolvesAt: new Date(a.resolvesAt).toISOString(),
  };
}

function breaches(d: Device, a: Pick<Alert, 'metric' | 'rule'>, value: number): boolean {
  switch (a.rule) {
    case 'temperature_high':
      return value > d.thresholds.temperature.warning;
    case 'temperature_critical':
      return value > d.thresholds.temperature.critical;
    case 'humidity_high':
      return value > d.thresholds.humidity.warning;
    case 'signal_weak':
      return value < d.thresholds.signal.info;
    case 'battery_low':
      return value < d.thresholds.battery.warning;
    case 'battery_critical':
      return value < d.thresholds.battery.critical;
    default:
      return false;
  }
}

describe('deriveDeviceAlerts', () => {
  it('derives the same alerts every time (pinned)', () => {
    const active = (id: string) =>
      deriveDeviceAlerts(device(id), T0)
        .filter((a) => a.resolvesAt > T0)
        .map(summary);
    expect(active('dev-0012')).toEqual([
      {
        id: 'alr-dev-0012-battery_critical-29145876',
        severity: 'critical',
        value: 9,
        raisedAt: '2025-06-01T04:37:00.000Z',
        resolvesAt: expect.any(String),
      },
      {
        id: 'alr-dev-0012-battery_low-29144676',
        severity: 'warning',
        value: 19,
        raisedAt: '2025-05-31T08:37:00.000Z',
        resolvesAt: expect.any(String),
      },
    ]);
    expect(active('dev-0048')).toEqual([
      {
        id: 'alr-dev-0048-device_offline-29144899',
        severity: 'critical',
        value: null,
        raisedAt: '2025-05-31T12:19:00.000Z',
        resolvesAt: '2025-06-01T17:16:00.000Z',
      },
    ]);
    expect(active('dev-0001')).toEqual([]);
  });

  it('raises each alert at a real reading past its threshold, newest first', () => {
    let count = 0;
    for (const d of fleet.devices) {
      const alerts = deriveDeviceAlerts(d, T0);
      const raised = alerts.map((a) => a.raisedAt);
      expect(raised).toEqual([...raised].sort((x, y) => y - x));
      for (const a of alerts) {
        count++;
        expect(deviceIdOfAlertId(a.id)).toBe(d.id);
        expect(a.raisedAt).toBeLessThanOrEqual(T0);
        expect(a.resolvesAt).toBeGreaterThan(T0 - 24 * HOUR);
        expect(a.resolvesAt).toBeGreaterThan(a.raisedAt);
        if (a.rule === 'device_offline') {
          expect(isReporting(d, a.raisedAt)).toBe(false);
          expect(isReporting(d, a.raisedAt - SAMPLE_MS)).toBe(true);
          continue;
        }
        if (a.metric === 'connectivity' || a.value === null) throw new Error('reading alert without a value');
        expect(isReporting(d, a.raisedAt)).toBe(true);
        expect(simulatedValue(d, a.metric, a.raisedAt)).toBe(a.value);
        expect(breaches(d, a, a.value), a.id).toBe(true);
      }
      expect(new Set(alerts.map((a) => a.id)).size).toBe(alerts.length);
    }
    expect(count).toBeGreaterThan(30);
  });

  it('has an active alert whenever a reading is past a threshold or the device is offline', () => {
    const rules = [
      ['temperature', 'temperature_high'],
      ['temperature', 'temperature_critical'],
      ['humidity', 'humidity_high'],
      ['signal', 'signal_weak'],
      ['battery', 'battery_low'],
      ['battery', 'battery_critical'],
    ] as const;
    const missing: string[] = [];
    let checked = 0;
    for (const d of fleet.devices) {
      for (let t = T0 - 24 * HOUR; t <= T0; t += 30 * 60_000) {
        const active = deriveDeviceAlerts(d, t).filter((a) => a.raisedAt <= t && a.resolvesAt > t);
        if (!isReporting(d, t)) {
          if (!active.some((a) => a.rule === 'device_offline')) missing.push(`${d.id} offline at ${t}`);
          continue;
        }
        for (const [metric, rule] of rules) {
          if (!breaches(d, { metric, rule }, simulatedValue(d, metric, t))) continue;
          checked++;
          if (!active.some((a) => a.rule === rule)) missing.push(`${d.id} ${rule} at ${t}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('gives the same answers with a scan memo, minute by minute and when time goes back', () => {
    const interesting = fleet.devices
      .filter((d) => deriveDeviceAlerts(d, T0 + 2 * HOUR).length > 0)
      .slice(0, 40);
    const memo = new BoundedMap<string, ScanState>(10_000);
    const times = [
      T0 - 2 * HOUR,
      T0 - HOUR + 7 * SAMPLE_MS,
      T0,
      T0 + 1,
      T0 + 61_000,
      T0 + 2 * HOUR,
      T0 - 3 * HOUR,
      T0,
    ];
    for (const t of times) {
      for (const d of interesting) {
        expect(deriveDeviceAlerts(d, t, { memo })).toEqual(deriveDeviceAlerts(d, t));
      }
    }
    expect(memo.size).toBeGreaterThan(0);
  });
});

describe('offline alerts', () => {
  it('escalate from warning to critical after 30 minutes of silence', () => {
    const d = device('dev-0048');
    const start = Date.UTC(2025, 4, 31, 12, 19);
    const severityAt = (t: number) =>
      deriveDeviceAlerts(d, t).find((a) => a.rule === 'device_offline')?.severity;
    expect(severityAt(start - SAMPLE_MS)).toBeUndefined();
    expect(severityAt(start)).toBe('warning');
    expect(severityAt(start + 29 * SAMPLE_MS)).toBe('warning');
    expect(severityAt(start + 30 * SAMPLE_MS)).toBe('critical');
  });
});

describe('alert ids', () => {
  it('carry the device id and are validated by shape and rule', () => {
    const d = device('dev-0007');
    const id = alertId(d, 'battery_low', 29_145_876 * SAMPLE_MS);
    expect(id).toBe('alr-dev-0007-battery_low-29145876');
    expect(deviceIdOfAlertId(id)).toBe('dev-0007');
    for (const bad of [
      'alr-dev-0007-battery_lowish-29145876',
      'alr-dev-7-battery_low-29145876',
      'alr-dev-0007-battery_low-',
      'alr-dev-0007-battery_low-1.5',
      'dev-0007',
      '',
    ]) {
      expect(deviceIdOfAlertId(bad), bad).toBeUndefined();
    }
  });
});
