import type uPlot from 'uplot';
import type { TelemetryPoint } from '../api/types.ts';

// The API's `[[epochMs, value | null], …]` as uPlot's column arrays: one typed array of times, one of
// values, where `null` leaves a gap (the device was offline).
//
// Long series are thinned first, one pass, min/max style (M4: the first, lowest, highest and last
// point of each time bucket, plus a gap where the bucket had one). A line drawn from that looks the
// same as from every point, at any width up to the bucket count in pixels, and uPlot has a few
// thousand points to draw instead of 100,000: this is what keeps a first render within 50 ms.

/** Buckets when the chart's width is not known: more than any chart is wide in device pixels. */
export const MAX_BUCKETS = 2_000;

/** One bucket per device pixel of the plot is as fine as a drawing can show. */
export const bucketsFor = (cssWidth: number, pixelRatio = 1): number =>
  Math.max(100, Math.min(MAX_BUCKETS, Math.ceil(cssWidth * pixelRatio)));

/** Thins only when there are more points than four per bucket; API answers (≤ 2,000 points) never are. */
export function toAlignedData(points: readonly TelemetryPoint[], buckets = MAX_BUCKETS): uPlot.AlignedData {
  return points.length <= buckets * 4 ? columns(points) : thinned(points, buckets);
}

function columns(points: readonly TelemetryPoint[]): uPlot.AlignedData {
  const count = points.length;
  const times = new Float64Array(count);
  const values: (number | null)[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const point = points[i] as TelemetryPoint;
    times[i] = point[0];
    values[i] = point[1];
  }
  return [times, values];
}

interface Output {
  times: Float64Array;
  values: (number | null)[];
  count: number;
}

function emit(out: Output, t: number, v: number | null): void {
  if (out.count > 0 && out.times[out.count - 1] === t) return;
  out.times[out.count] = t;
  out.values.push(v);
  out.count++;
}

// One plain loop with no closures and no allocation per point: the first render runs this cold (in
// the interpreter), where every operation per point counts.
function thinned(points: readonly TelemetryPoint[], buckets: number): uPlot.AlignedData {
  const count = points.length;
  const start = (points[0] as TelemetryPoint)[0];
  const step = Math.max(1, ((points[count - 1] as TelemetryPoint)[0] - start) / buckets);
  const out: Output = { times: new Float64Array(buckets * 5 + 5), values: [], count: 0 };
  let boundary = start + step;
  let hasValue = false;
  let hasGap = false;
  let gapT = 0;
  let firstT = 0;
  let firstV = 0;
  let minT = 0;
  let minV = 0;
  let maxT = 0;
  let maxV = 0;
  let lastT = 0;
  let lastV = 0;
  for (let i = 0; i <= count; i++) {
    const point = i < count ? (points[i] as TelemetryPoint) : undefined;
    const t = point ? point[0] : Number.POSITIVE_INFINITY;
    if (t >= boundary) {
      // Close the bucket: first, lowest and highest (in time order), last; the gap where it fell.
      if (hasValue) {
        const earlyT = minT <= maxT ? minT : maxT;
        const earlyV = minT <= maxT ? minV : maxV;
        const lateT = minT <= maxT ? maxT : minT;
        const lateV = minT <= maxT ? maxV : minV;
        if (hasGap && gapT < firstT) {
          emit(out, gapT, null);
          hasGap = false;
        }
        emit(out, firstT, firstV);
        if (hasGap && gapT < earlyT) {
          emit(out, gapT, null);
          hasGap = false;
        }
        emit(out, earlyT, earlyV);
        if (hasGap && gapT < lateT) {
          emit(out, gapT, null);
          hasGap = false;
        }
        emit(out, lateT, lateV);
        if (hasGap && gapT < lastT) {
          emit(out, gapT, null);
          hasGap = false;
        }
        emit(out, lastT, lastV);
      }
      if (hasGap) emit(out, gapT, null);
      hasValue = false;
      hasGap = false;
      if (!point) break;
      boundary = start + (Math.floor((t - start) / step) + 1) * step;
    }
    const v = (point as TelemetryPoint)[1];
    if (v === null) {
      if (!hasGap) {
        hasGap = true;
        gapT = t;
      }
    } else if (!hasValue) {
      hasValue = true;
      firstT = minT = maxT = lastT = t;
      firstV = minV = maxV = lastV = v;
    } else {
      if (v < minV) {
        minT = t;
        minV = v;
      } else if (v > maxV) {
        maxT = t;
        maxV = v;
      }
      lastT = t;
      lastV = v;
    }
  }
  return [out.times.subarray(0, out.count), out.values];
}

export interface SeriesSummary {
  latest: number | null;
  min: number | null;
  max: number | null;
}

/** Latest, lowest and highest value, for the chart's text alternative. */
export function summarizeSeries(points: readonly TelemetryPoint[]): SeriesSummary {
  let latest: number | null = null;
  let min: number | null = null;
  let max: number | null = null;
  for (const [, value] of points) {
    if (value === null) continue;
    latest = value;
    if (min === null || value < min) min = value;
    if (max === null || value > max) max = value;
  }
  return { latest, min, max };
}
