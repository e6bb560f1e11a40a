import { describe, expect, it } from 'vitest';
import type { TelemetryPoint } from '../api/types.ts';
import { bucketsFor, summarizeSeries, toAlignedData } from './aligned-data.ts';

describe('toAlignedData', () => {
  it('turns [time, value] pairs into uPlot columns, keeping nulls as gaps', () => {
    const points: TelemetryPoint[] = [
      [1_000, 1.5],
      [2_000, null],
      [3_000, -2],
    ];
    const [times, values] = toAlignedData(points);
    expect(Array.from(times as Float64Array)).toEqual([1_000, 2_000, 3_000]);
    expect(values).toEqual([1.5, null, -2]);
  });

  it('keeps every point of an API answer (up to 2,000) as it is', () => {
    expect(toAlignedData([]).map((column) => column.length)).toEqual([0, 0]);
    const answer: TelemetryPoint[] = Array.from({ length: 2_000 }, (_, i) => [i * 60_000, i % 7]);
    const [times, values] = toAlignedData(answer, 500);
    expect(times.length).toBe(2_000);
    expect(values?.[1_999]).toBe(1_999 % 7);
  });
});

describe('thinning long series', () => {
  const MINUTE = 60_000;
  // 100,000 minutes of a wave with one spike, one dip and an outage in the middle.
  const series: TelemetryPoint[] = Array.from({ length: 100_000 }, (_, i) => {
    if (i >= 50_000 && i < 50_500) return [i * MINUTE, null];
    if (i === 12_345) return [i * MINUTE, 99];
    if (i === 77_777) return [i * MINUTE, -99];
    return [i * MINUTE, Math.round(Math.sin(i / 500) * 100) / 10];
  });
  const [times, values] = toAlignedData(series, 800) as [Float64Array, (number | null)[]];

  it('gives at most a few points per bucket, in time order', () => {
    expect(times.length).toBeLessThanOrEqual(800 * 5);
    expect(times.length).toBeGreaterThan(800);
    expect(values).toHaveLength(times.length);
    for (let i = 1; i < times.length; i++) expect(times[i] as number).toBeGreaterThan(times[i - 1] as number);
  });

  it('keeps the first and last point, the extremes and every spike', () => {
    expect(times[0]).toBe(0);
    expect(times[times.length - 1]).toBe(99_999 * MINUTE);
    expect(Math.max(...values.filter((v): v is number => v !== null))).toBe(99);
    expect(Math.min(...values.filter((v): v is number => v !== null))).toBe(-99);
    expect(times[values.indexOf(99)]).toBe(12_345 * MINUTE);
  });

  it('keeps the lowest and highest value of every bucket', () => {
    const step = (99_999 * MINUTE) / 800;
    const bucketOf = (t: number) => Math.min(799, Math.floor(t / step));
    const expected = new Map<number, [number, number]>();
    for (const [t, v] of series) {
      if (v === null) continue;
      const b = bucketOf(t);
      const [lo, hi] = expected.get(b) ?? [v, v];
      expected.set(b, [Math.min(lo, v), Math.max(hi, v)]);
    }
    const actual = new Map<number, [number, number]>();
    times.forEach((t, i) => {
      const v = values[i];
      if (v === null || v === undefined) return;
      const b = bucketOf(t);
      const [lo, hi] = actual.get(b) ?? [v, v];
      actual.set(b, [Math.min(lo, v), Math.max(hi, v)]);
    });
    expect(actual).toEqual(expected);
  });

  it('keeps the outage as a gap, so the line does not bridge it', () => {
    const gaps = values.flatMap((v, i) => (v === null ? [times[i] as number] : []));
    expect(gaps.length).toBeGreaterThan(0);
    for (const t of gaps) {
      expect(t).toBeGreaterThanOrEqual(50_000 * MINUTE);
      expect(t).toBeLessThan(50_500 * MINUTE);
    }
    // Nothing drawn inside the outage.
    times.forEach((t, i) => {
      if (t > 50_000 * MINUTE && t < 50_499 * MINUTE) expect(values[i]).toBeNull();
    });
  });

  it('sizes buckets by the drawing width in device pixels', () => {
    expect(bucketsFor(800)).toBe(800);
    expect(bucketsFor(800, 2)).toBe(1_600);
    expect(bucketsFor(5_000, 2)).toBe(2_000);
    expect(bucketsFor(0)).toBe(100);
  });
});

describe('summarizeSeries', () => {
  it('finds the latest, lowest and highest reading, skipping gaps', () => {
    expect(
      summarizeSeries([
        [1, 5],
        [2, -1],
        [3, 9],
        [4, null],
      ]),
    ).toEqual({ latest: 9, min: -1, max: 9 });
    expect(summarizeSeries([[1, null]])).toEqual({ latest: null, min: null, max: null });
  });
});
