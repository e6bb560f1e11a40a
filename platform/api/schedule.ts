// Time-based episodes of the simulation: when a device is offline, when one of its readings drifts
// past a threshold (an excursion) and where its battery stands. All pure functions of (device, time);
// every boundary falls on a whole minute so answers only change when a new sample is due.
import type { Device, Reliability } from './fleet.ts';
import { intBetween, pick, unit } from './hash.ts';

/** Devices report once a minute; readings exist only at multiples of this. */
export const SAMPLE_MS = 60_000;
const HOUR_MS = 3_600_000;

export type Metric = 'temperature' | 'humidity' | 'battery' | 'signal';
export const METRICS: readonly Metric[] = ['temperature', 'humidity', 'battery', 'signal'];

/** Half-open interval [start, end) in epoch ms, both on whole minutes. */
export interface TimeWindow {
  start: number;
  end: number;
}

export interface Excursion extends TimeWindow {
  metric: Exclude<Metric, 'battery'>;
  /** 0..1: how far past the threshold the reading peaks. */
  intensity: number;
}

export function sampleTime(t: number): number {
  return Math.floor(t / SAMPLE_MS) * SAMPLE_MS;
}

interface WindowPlan {
  slotMs: number;
  chance: number;
  minMinutes: number;
  maxMinutes: number;
}

const OFFLINE_PLANS: Record<Reliability, WindowPlan> = {
  stable: { slotMs: 6 * HOUR_MS, chance: 0.02, minMinutes: 5, maxMinutes: 40 },
  flaky: { slotMs: 6 * HOUR_MS, chance: 0.4, minMinutes: 20, maxMinutes: 180 },
  outage_prone: { slotMs: 72 * HOUR_MS, chance: 0.5, minMinutes: 6 * 60, maxMinutes: 48 * 60 },
};

const EXCURSION_SLOT_MS = 12 * HOUR_MS;
const EXCURSION_MIN_MINUTES = 120;
const EXCURSION_MAX_MINUTES = 480;
const EXCURSION_METRICS: readonly Excursion['metric'][] = [
  'temperature',
  'temperature',
  'humidity',
  'signal',
];

/** Batteries drain over the device's period and are recharged (or swapped) within this time. */
export const BATTERY_RECHARGE_MS = 4 * HOUR_MS;

const Salt = {
  offline: 101,
  offlineLength: 102,
  offlineStart: 103,
  excursion: 201,
  excursionLength: 202,
  excursionStart: 203,
  excursionMetric: 204,
  excursionIntensity: 205,
} as const;

/**
 * At most one window per slot, kept at least one sample away from both slot edges so the sample
 * before a window is always a reported one (that is the device's `lastSeen`).
 */
function windowInSlot(seed: number, salt: number, slot: number, plan: WindowPlan): TimeWindow | undefined {
  if (unit(seed, salt, slot) >= plan.chance) return undefined;
  const slotMinutes = plan.slotMs / SAMPLE_MS;
  const minutes = intBetween(plan.minMinutes, plan.maxMinutes, seed, salt + 1, slot);
  const offset = intBetween(1, slotMinutes - minutes - 1, seed, salt + 2, slot);
  const start = slot * plan.slotMs + offset * SAMPLE_MS;
  return { start, end: start + minutes * SAMPLE_MS };
}

function windowsOverlapping<W extends TimeWindow>(
  from: number,
  to: number,
  plan: WindowPlan,
  inSlot: (slot: number) => W | undefined,
): W[] {
  const windows: W[] = [];
  for (let slot = Math.floor(from / plan.slotMs); slot <= Math.floor(to / plan.slotMs); slot++) {
    const window = inSlot(slot);
    if (window && window.end > from && window.start <= to) windows.push(window);
  }
  return windows;
}

function offlineInSlot(device: Device, slot: number): TimeWindow | undefined {
  return windowInSlot(device.profile.seed, Salt.offline, slot, OFFLINE_PLANS[device.profile.reliability]);
}

/** The offline window containing `t`, if the device is not reporting then. */
export function offlineWindowAt(device: Device, t: number): TimeWindow | undefined {
  const plan = OFFLINE_PLANS[device.profile.reliability];
  const window = offlineInSlot(device, Math.floor(t / plan.slotMs));
  return window && t >= window.start && t < window.end ? window : undefined;
}

export function isReporting(device: Device, t: number): boolean {
  return offlineWindowAt(device, sampleTime(t)) === undefined;
}

/** Offline windows that overlap [from, to], oldest first. */
export function offlineWindowsOverlapping(device: Device, from: number, to: number): TimeWindow[] {
  const plan = OFFLINE_PLANS[device.profile.reliability];
  return windowsOverlapping(from, to, plan, (slot) => offlineInSlot(device, slot));
}

function excursionPlan(device: Device): WindowPlan {
  return {
    slotMs: EXCURSION_SLOT_MS,
    chance: device.profile.excursionChance,
    minMinutes: EXCURSION_MIN_MINUTES,
    maxMinutes: EXCURSION_MAX_MINUTES,
  };
}

function excursionInSlot(device: Device, slot: number): Excursion | undefined {
  const { seed } = device.profile;
  const window = windowInSlot(seed, Salt.excursion, slot, excursionPlan(device));
  if (!window) return undefined;
  return {
    ...window,
    metric: pick(EXCURSION_METRICS, seed, Salt.excursionMetric, slot),
    intensity: unit(seed, Salt.excursionIntensity, slot),
  };
}

export function excursionAt(device: Device, t: number): Excursion | undefined {
  const excursion = excursionInSlot(device, Math.floor(t / EXCURSION_SLOT_MS));
  return excursion && t >= excursion.start && t < excursion.end ? excursion : undefined;
}

export function excursionsOverlapping(device: Device, from: number, to: number): Excursion[] {
  return windowsOverlapping(from, to, excursionPlan(device), (slot) => excursionInSlot(device, slot));
}

/** Rises linearly for three quarters of the window, then recovers; 0 outside, peak 1. */
export function excursionShape(excursion: TimeWindow, t: number): number {
  if (t < excursion.start || t >= excursion.end) return 0;
  const f = (t - excursion.start) / (excursion.end - excursion.start);
  return f < 0.75 ? f / 0.75 : (1 - f) / 0.25;
}

function cycleStart(device: Device, cycle: number): number {
  return cycle * device.profile.batteryPeriodMs - device.profile.batteryPhaseMs;
}

function cycleOf(device: Device, t: number): number {
  return Math.floor((t + device.profile.batteryPhaseMs) / device.profile.batteryPeriodMs);
}

/** Battery charge in percent (continuous): drains linearly to the device's minimum, then recharges. */
export function batteryLevel(device: Device, t: number): number {
  const { batteryPeriodMs, batteryMinimum } = device.profile;
  const position = t - cycleStart(device, cycleOf(device, t));
  const drainMs = batteryPeriodMs - BATTERY_RECHARGE_MS;
  if (position < drainMs) return 100 - ((100 - batteryMinimum) * position) / drainMs;
  return batteryMinimum + ((100 - batteryMinimum) * (position - drainMs)) / BATTERY_RECHARGE_MS;
}

function ceilToSample(t: number): number {
  return Math.ceil(t / SAMPLE_MS) * SAMPLE_MS;
}

/** Windows in which the battery is below `threshold`, overlapping [from, to], oldest first. */
export function batteryWindowsBelow(
  device: Device,
  threshold: number,
  from: number,
  to: number,
): TimeWindow[] {
  const { batteryPeriodMs, batteryMinimum } = device.profile;
  if (batteryMinimum >= threshold) return [];
  const drainMs = batteryPeriodMs - BATTERY_RECHARGE_MS;
  const drop = 100 - batteryMinimum;
  const windows: TimeWindow[] = [];
  for (let cycle = cycleOf(device, from) - 1; cycle <= cycleOf(device, to); cycle++) {
    const begin = cycleStart(device, cycle);
    const start = ceilToSample(begin + (drainMs * (100 - threshold)) / drop);
    const end = ceilToSample(begin + drainMs + (BATTERY_RECHARGE_MS * (threshold - batteryMinimum)) / drop);
    if (end > from && start <= to) windows.push({ start, end });
  }
  return windows;
}
