import { describe, expect, it } from 'vitest';
import { createFleet, type Device } from './fleet.ts';
import { excursionAt, isReporting, METRICS, offlineWindowAt, SAMPLE_MS } from './schedule.ts';
import {
  couldBreach,
  MAX_POINTS,
  planSeries,
  readingAt,
  readingsAt,
  series,
  simulatedValue,
} from './telemetry.ts';
import { T0 } from './test-support.ts';

const DAY = 86_400_000;
const fleet = createFleet(120);
const device = (id: string): Device => {
  const d = fleet.get(id);
  if (!d) throw new Error(`no ${id}`);
  return d;
};

describe('readings', () => {
  it('are a pure function of device, metric and time (pinned values)', () => {
    expect(readingsAt(device('dev-0001'), T0)).toEqual({
      temperature: 3.3,
      humidity: 55.1,
      battery: 90,
      signal: -62,
    });
    expect(readingsAt(device('dev-0002'), T0 + DAY)).toEqual({
      temperature: 26,
      humidity: 50.5,
      battery: 35,
      signal: -77,
    });
  });

  it('agree between separately built fleets and only change at sample boundaries', () => {
    const other = createFleet(120);
    for (const index of [0, 17, 63, 119]) {
      for (const metric of METRICS) {
        const a = fleet.devices[index] as Device;
        const b = other.devices[index] as Device;
        expect(readingAt(a, metric, T0 + 12_345)).toBe(readingAt(b, metric, T0 + 12_345));
        expect(simulatedValue(a, metric, T0 + 59_999)).toBe(simulatedValue(a, metric, T0));
      }
    }
  });

  it('follow a daily cycle: ambient rooms are warmer in the afternoon than at night', () => {
    const ambient = fleet.devices.filter((d) => d.model.climate === 'ambient').slice(0, 10);
    for (const d of ambient) {
      // 15:00 local is the peak, 03:00 the trough.
      const afternoon = Date.UTC(2025, 5, 1, 15 - d.site.utcOffsetHours);
      const night = Date.UTC(2025, 5, 2, 3 - d.site.utcOffsetHours);
      expect(simulatedValue(d, 'temperature', afternoon)).toBeGreaterThan(
        simulatedValue(d, 'temperature', night) + 3,
      );
    }
  });

  it('drain the battery over days and recharge it', () => {
    const d = device('dev-0001');
    const levels = Array.from({ length: 24 * 12 }, (_, h) =>
      simulatedValue(d, 'battery', T0 + h * 3_600_000),
    );
    expect(Math.max(...levels)).toBeGreaterThanOrEqual(95);
    expect(Math.min(...levels)).toBe(d.profile.batteryMinimum);
    for (const level of levels) expect(Number.isInteger(level)).toBe(true);
  });

  it('stay inside every threshold except during excursions and low battery', () => {
    // The alert derivation relies on this: normal noise and cycles never cross a threshold.
    const violations: string[] = [];
    for (const d of fleet.devices) {
      for (let t = T0 - DAY; t < T0 + DAY; t += 7 * SAMPLE_MS) {
        const excursion = excursionAt(d, t)?.metric;
        const temperature = simulatedValue(d, 'temperature', t);
        const humidity = simulatedValue(d, 'humidity', t);
        const signal = simulatedValue(d, 'signal', t);
        if (excursion !== 'temperature' && temperature > d.thresholds.temperature.warning) {
          violations.push(`${d.id} temperature ${temperature} at ${t}`);
        }
        if (excursion !== 'humidity' && humidity > d.thresholds.humidity.warning) {
          violations.push(`${d.id} humidity ${humidity} at ${t}`);
        }
        if (excursion !== 'signal' && signal < d.thresholds.signal.info) {
          violations.push(`${d.id} signal ${signal} at ${t}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('never breach where couldBreach rules a breach out', () => {
    // Alert derivation skips samples on couldBreach's word; a wrong "no" would lose alerts.
    const missed: string[] = [];
    let possible = 0;
    for (const d of fleet.devices) {
      for (let t = T0 - 2 * DAY; t < T0; t += SAMPLE_MS) {
        const excursion = excursionAt(d, t);
        if (!excursion) continue;
        const thresholds = {
          temperature: [d.thresholds.temperature.warning, d.thresholds.temperature.critical],
          humidity: [d.thresholds.humidity.warning],
          signal: [d.thresholds.signal.info],
        }[excursion.metric];
        const value = simulatedValue(d, excursion.metric, t);
        for (const threshold of thresholds) {
          const breach = excursion.metric === 'signal' ? value < threshold : value > threshold;
          const could = couldBreach(d, excursion, threshold, t);
          if (could) possible++;
          if (breach && !could) missed.push(`${d.id} ${excursion.metric} ${value} vs ${threshold} at ${t}`);
        }
      }
    }
    expect(missed).toEqual([]);
    expect(possible).toBeGreaterThan(100);
  });

  it('drift past thresholds on degrading devices', () => {
    let breaches = 0;
    for (const d of fleet.devices) {
      for (let t = T0 - DAY; t < T0 + DAY; t += 10 * SAMPLE_MS) {
        if (simulatedValue(d, 'temperature', t) > d.thresholds.temperature.warning) breaches++;
      }
    }
    expect(breaches).toBeGreaterThan(20);
  });
});

describe('offline windows', () => {
  // dev-0048 is outage-prone; at T0 it has been silent since 12:19 the day before.
  const d = device('dev-0048');

  it('make every reading null inside the window (pinned window)', () => {
    const window = offlineWindowAt(d, T0);
    expect(window).toEqual({ start: Date.UTC(2025, 4, 31, 12, 19), end: Date.UTC(2025, 5, 1, 17, 16) });
    expect(readingsAt(d, T0)).toEqual({ temperature: null, humidity: null, battery: null, signal: null });
    expect(isReporting(d, Date.UTC(2025, 4, 31, 12, 18, 59))).toBe(true);
    expect(isReporting(d, Date.UTC(2025, 4, 31, 12, 19))).toBe(false);
    expect(isReporting(d, Date.UTC(2025, 5, 1, 17, 15, 59))).toBe(false);
    expect(isReporting(d, Date.UTC(2025, 5, 1, 17, 16))).toBe(true);
  });

  it('occur across the fleet, on whole minutes, with a reported sample before each', () => {
    let found = 0;
    for (const dev of fleet.devices) {
      for (let t = T0 - 3 * DAY; t < T0; t += 30 * SAMPLE_MS) {
        const window = offlineWindowAt(dev, t);
        if (!window) continue;
        found++;
        expect(window.start % SAMPLE_MS).toBe(0);
        expect(window.end % SAMPLE_MS).toBe(0);
        expect(window.end).toBeGreaterThan(window.start);
        expect(isReporting(dev, window.start - SAMPLE_MS)).toBe(true);
      }
    }
    expect(found).toBeGreaterThan(10);
  });

  it('show up as nulls in a series', () => {
    const points = series(
      d,
      'temperature',
      planSeries(Date.UTC(2025, 4, 31, 12), Date.UTC(2025, 4, 31, 12, 30)),
    );
    expect(points).toHaveLength(31);
    expect(points.slice(0, 19).every(([, v]) => typeof v === 'number')).toBe(true);
    expect(points.slice(19).every(([, v]) => v === null)).toBe(true);
    expect(points[19]?.[0]).toBe(Date.UTC(2025, 4, 31, 12, 19));
  });
});

describe('series', () => {
  const d = device('dev-0001');

  it('returns one point per minute for an hour by default', () => {
    const plan = planSeries(T0 - 3_600_000, T0);
    expect(plan.stepSeconds).toBe(60);
    const points = series(d, 'humidity', plan);
    expect(points).toHaveLength(61);
    expect(points[0]?.[0]).toBe(T0 - 3_600_000);
    expect(points.at(-1)?.[0]).toBe(T0);
  });

  it('aligns points to multiples of the step', () => {
    const plan = planSeries(T0 + 1, T0 + 3_600_000, 900);
    expect(series(d, 'signal', plan).map(([t]) => t)).toEqual([
      T0 + 900_000,
      T0 + 1_800_000,
      T0 + 2_700_000,
      T0 + 3_600_000,
    ]);
  });

  it('keeps a requested step that fits', () => {
    expect(planSeries(T0 - DAY, T0, 300).stepSeconds).toBe(300);
    expect(series(d, 'battery', planSeries(T0 - DAY, T0, 300))).toHaveLength(289);
  });

  it('raises the step so 31 days stay within the point limit', () => {
    const plan = planSeries(T0 - 31 * DAY, T0, 60);
    expect(plan.stepSeconds).toBe(1_800);
    const points = series(d, 'temperature', plan);
    expect(points).toHaveLength(31 * 48 + 1);
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('never exceeds the point limit for any range up to 31 days', () => {
    for (const days of [0.5, 1, 1.39, 1.4, 2, 7, 13.9, 20.8, 31]) {
      const plan = planSeries(T0 - days * DAY + 17, T0);
      expect(series(d, 'signal', plan).length, `${days} days`).toBeLessThanOrEqual(MAX_POINTS);
    }
  });

  it('is identical for the same inputs', () => {
    const plan = planSeries(T0 - 7 * DAY, T0);
    expect(series(createFleet(2).devices[0] as Device, 'temperature', plan)).toEqual(
      series(d, 'temperature', plan),
    );
  });
});
