// Readings as a pure function of (device, metric, time): daily cycles, smooth deterministic noise,
// per-device offsets, excursions past thresholds and a draining battery. Nothing is stored.
import type { Device } from './fleet.ts';
import { hash32, smoothNoise } from './hash.ts';
import {
  batteryLevel,
  type Excursion,
  excursionAt,
  excursionShape,
  isReporting,
  type Metric,
  SAMPLE_MS,
  sampleTime,
} from './schedule.ts';

export const UNITS: Record<Metric, string> = {
  temperature: '°C',
  humidity: '%',
  battery: '%',
  signal: 'dBm',
};

const HOUR_MS = 3_600_000;
const NOISE_SLOW_MS = 15 * 60_000;
const NOISE_FAST_MS = 2 * 60_000;

type WaveMetric = Exclude<Metric, 'battery'>;

/**
 * How a non-battery reading is built: base + direction × (daily cycle + excursion) + noise, where
 * `direction` makes "worse" up for temperature and humidity and down for signal. With the base ranges
 * in fleet.ts the amplitudes keep normal readings clear of every threshold, so only excursions (and
 * the battery) raise alerts.
 */
interface Wave {
  base: number;
  cycle: number;
  noise: number;
  peakHour: number;
  direction: 1 | -1;
  /** Warning (info for signal) threshold the excursions aim past. */
  threshold: number;
}

function wave(device: Device, metric: WaveMetric): Wave {
  const { profile, thresholds } = device;
  switch (metric) {
    case 'temperature': {
      const cold = device.model.climate === 'cold';
      return {
        base: profile.temperatureBase,
        cycle: cold ? 0.5 : 3,
        noise: cold ? 0.3 : 0.4,
        peakHour: 15,
        direction: 1,
        threshold: thresholds.temperature.warning,
      };
    }
    case 'humidity':
      return {
        base: profile.humidityBase,
        cycle: 8,
        noise: 1.5,
        peakHour: 5,
        direction: 1,
        threshold: thresholds.humidity.warning,
      };
    case 'signal':
      // Interference peaks in working hours, so the signal is weakest at 14:00.
      return {
        base: profile.signalBase,
        cycle: 3,
        noise: 2,
        peakHour: 14,
        direction: -1,
        threshold: thresholds.signal.info,
      };
  }
}

const MetricSalt: Record<Metric, number> = { temperature: 301, humidity: 302, battery: 303, signal: 304 };

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** cos of the local time of day, 1 at `peakHour`, -1 twelve hours later. */
function dailyCycle(device: Device, t: number, peakHour: number): number {
  const localHours = t / HOUR_MS + device.site.utcOffsetHours;
  return Math.cos((2 * Math.PI * (localHours - peakHour)) / 24);
}

/** Noise in [-amplitude, amplitude]: a slow wander plus a little fast jitter. */
function noise(device: Device, metric: Metric, t: number, amplitude: number): number {
  const seed = hash32(device.profile.seed, MetricSalt[metric]);
  return (
    amplitude * (0.7 * smoothNoise(seed, t, NOISE_SLOW_MS) + 0.3 * smoothNoise(seed + 1, t, NOISE_FAST_MS))
  );
}

/** How far an excursion pushes the reading at its peak (in the `direction` of the wave). */
function excursionPeak(w: Wave, excursion: Excursion): number {
  // At least 0.5 past the threshold whatever the cycle and noise do at that moment.
  const distance = w.direction * (w.threshold - w.base);
  return distance + w.cycle + w.noise + 0.5 + 6 * excursion.intensity;
}

function waveValue(device: Device, metric: WaveMetric, t: number): number {
  const w = wave(device, metric);
  const excursion = excursionAt(device, t);
  const offset =
    excursion?.metric === metric ? excursionPeak(w, excursion) * excursionShape(excursion, t) : 0;
  const cycle = w.cycle * dailyCycle(device, t, w.peakHour);
  return w.base + w.direction * (cycle + offset) + noise(device, metric, t, w.noise);
}

/**
 * Whether the reading at `t` (a sample within the excursion) could pass `threshold` in the wave's
 * direction, with the noise at its worst: lets alert derivation skip most samples without computing
 * the noise. One unit of slack covers rounding.
 */
export function couldBreach(device: Device, excursion: Excursion, threshold: number, t: number): boolean {
  const w = wave(device, excursion.metric);
  const offset = excursionPeak(w, excursion) * excursionShape(excursion, t);
  // Distances in the wave's direction: how bad the reading could get versus how bad it must get.
  const worst = w.cycle * dailyCycle(device, t, w.peakHour) + offset + w.noise + 1;
  return worst >= w.direction * (threshold - w.base);
}

function temperature(device: Device, t: number): number {
  return round1(waveValue(device, 'temperature', t));
}

function humidity(device: Device, t: number): number {
  return round1(clamp(waveValue(device, 'humidity', t), 0, 100));
}

function signal(device: Device, t: number): number {
  return Math.round(clamp(waveValue(device, 'signal', t), -125, -30));
}

function battery(device: Device, t: number): number {
  // Gauges report whole percent, rounded down; the epsilon absorbs float error at exact crossings.
  return clamp(Math.floor(batteryLevel(device, t) + 1e-9), 0, 100);
}

/** The value the device reports at the sample on or before `t`, whether or not it was online then. */
export function simulatedValue(device: Device, metric: Metric, t: number): number {
  const s = sampleTime(t);
  switch (metric) {
    case 'temperature':
      return temperature(device, s);
    case 'humidity':
      return humidity(device, s);
    case 'battery':
      return battery(device, s);
    case 'signal':
      return signal(device, s);
  }
}

/** The reading at the sample on or before `t`, `null` while the device is offline. */
export function readingAt(device: Device, metric: Metric, t: number): number | null {
  return isReporting(device, t) ? simulatedValue(device, metric, t) : null;
}

export type Readings = Record<Metric, number | null>;

export function readingsAt(device: Device, t: number): Readings {
  return {
    temperature: readingAt(device, 'temperature', t),
    humidity: readingAt(device, 'humidity', t),
    battery: readingAt(device, 'battery', t),
    signal: readingAt(device, 'signal', t),
  };
}

export const MAX_POINTS = 2_000;
export const MAX_RANGE_MS = 31 * 24 * HOUR_MS;
/** Steps a series may be raised to when the requested one would give too many points, in seconds. */
export const STEP_LADDER_SECONDS: readonly number[] = [
  60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400,
];
export const MAX_STEP_SECONDS = 86_400;

export interface SeriesPlan {
  from: number;
  to: number;
  stepSeconds: number;
}

/** Point times of a plan: the multiples of the step within [from, to]. */
function pointTimes(plan: SeriesPlan): { first: number; count: number; stepMs: number } {
  const stepMs = plan.stepSeconds * 1000;
  const first = Math.ceil(plan.from / stepMs) * stepMs;
  const count = first > plan.to ? 0 : Math.floor((plan.to - first) / stepMs) + 1;
  return { first, count, stepMs };
}

/**
 * The step actually used: the requested one (default 60 s) unless that gives more than MAX_POINTS,
 * then the smallest ladder step that fits. Raising the step is how long ranges are downsampled.
 */
export function planSeries(from: number, to: number, requestedStepSeconds?: number): SeriesPlan {
  const requested = requestedStepSeconds ?? SAMPLE_MS / 1000;
  if (pointTimes({ from, to, stepSeconds: requested }).count <= MAX_POINTS) {
    return { from, to, stepSeconds: requested };
  }
  for (const stepSeconds of STEP_LADDER_SECONDS) {
    if (pointTimes({ from, to, stepSeconds }).count <= MAX_POINTS) {
      return { from, to, stepSeconds };
    }
  }
  return { from, to, stepSeconds: MAX_STEP_SECONDS };
}

export type Point = [epochMs: number, value: number | null];

/** Samples the metric at each point time (no averaging); `null` where the device was offline. */
export function series(device: Device, metric: Metric, plan: SeriesPlan): Point[] {
  const { first, count, stepMs } = pointTimes(plan);
  const points: Point[] = [];
  for (let i = 0; i < count; i++) {
    const t = first + i * stepMs;
    points.push([t, readingAt(device, metric, t)]);
  }
  return points;
}
