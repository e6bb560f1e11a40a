// The simulated fleet's static catalog: sites, models and devices, each derived from its index alone
// so device i is the same in every instance and in fleets of any size.
import { between, hash32, intBetween, pick, unit } from './hash.ts';

export const MIN_FLEET_SIZE = 1;
export const MAX_FLEET_SIZE = 10_000;
export const DEFAULT_FLEET_SIZE = 120;

export interface Site {
  id: string;
  name: string;
  /** Fixed offset used for the daily cycles (no daylight saving in the simulation). */
  utcOffsetHours: number;
}

export const SITES: readonly Site[] = [
  { id: 'ams-dc', name: 'Amsterdam Data Centre', utcOffsetHours: 1 },
  { id: 'rtm-port', name: 'Rotterdam Port Cold Store', utcOffsetHours: 1 },
  { id: 'lyon-plant', name: 'Lyon Plant', utcOffsetHours: 1 },
  { id: 'oslo-wh', name: 'Oslo Warehouse', utcOffsetHours: 1 },
  { id: 'austin-lab', name: 'Austin Lab', utcOffsetHours: -6 },
  { id: 'sgp-hub', name: 'Singapore Hub', utcOffsetHours: 8 },
];

/** Cold devices watch fridges and freezers, ambient ones rooms; the climate sets thresholds. */
export type Climate = 'cold' | 'ambient';

/**
 * How often a device drops offline: `stable` rarely and briefly, `flaky` often, `outage_prone`
 * seldom but for hours to days. Internal to the simulation, not exposed by the API.
 */
export type Reliability = 'stable' | 'flaky' | 'outage_prone';

export interface Model {
  model: string;
  type: 'cold-chain-sensor' | 'environment-sensor' | 'gateway' | 'asset-tracker';
  climate: Climate;
  manufacturer: string;
}

/** The model catalogue; a model's id is its `model` (what devices report), unique in this list. */
export const MODELS: readonly Model[] = [
  { model: 'FrostGuard FG-2', type: 'cold-chain-sensor', climate: 'cold', manufacturer: 'Polar Instruments' },
  { model: 'FrostGuard FG-3', type: 'cold-chain-sensor', climate: 'cold', manufacturer: 'Polar Instruments' },
  { model: 'AirSense AS-100', type: 'environment-sensor', climate: 'ambient', manufacturer: 'Meridian IoT' },
  { model: 'AirSense AS-200', type: 'environment-sensor', climate: 'ambient', manufacturer: 'Meridian IoT' },
  { model: 'EdgeLink GW-5', type: 'gateway', climate: 'ambient', manufacturer: 'Northwind Networks' },
  { model: 'TrackTag TT-3', type: 'asset-tracker', climate: 'ambient', manufacturer: 'Northwind Networks' },
];

const ZONES: Record<Climate, readonly string[]> = {
  cold: ['Cold Room', 'Freezer', 'Chiller', 'Reefer Bay', 'Blast Freezer'],
  ambient: ['Server Hall', 'Loading Dock', 'Office', 'Assembly Line', 'Storage Aisle', 'Lab Bench'],
};

export interface Thresholds {
  temperature: { warning: number; critical: number };
  humidity: { warning: number };
  battery: { warning: number; critical: number };
  signal: { info: number };
}

const THRESHOLDS: Record<Climate, Thresholds> = {
  cold: {
    temperature: { warning: 8, critical: 12 },
    humidity: { warning: 80 },
    battery: { warning: 20, critical: 10 },
    signal: { info: -105 },
  },
  ambient: {
    temperature: { warning: 30, critical: 35 },
    humidity: { warning: 80 },
    battery: { warning: 20, critical: 10 },
    signal: { info: -105 },
  },
};

/** Per-device constants of the signal model; see telemetry.ts for how they are used. */
export interface DeviceProfile {
  seed: number;
  reliability: Reliability;
  /** Chance per excursion slot that one reading drifts past its threshold. */
  excursionChance: number;
  temperatureBase: number;
  humidityBase: number;
  signalBase: number;
  batteryPeriodMs: number;
  batteryPhaseMs: number;
  batteryMinimum: number;
}

export interface Device {
  index: number;
  id: string;
  name: string;
  site: Site;
  model: Model;
  serialNumber: string;
  firmwareVersion: string;
  reportIntervalSeconds: number;
  thresholds: Thresholds;
  profile: DeviceProfile;
}

const FLEET_SEED = 0x10f1ee7;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

// Salts keep the properties of one device independent of each other.
const Salt = {
  site: 1,
  model: 2,
  zone: 3,
  zoneNumber: 4,
  serial: 5,
  firmware: 6,
  reliability: 8,
  degrading: 9,
  temperature: 10,
  humidity: 11,
  signal: 12,
  batteryPeriod: 13,
  batteryPhase: 14,
  batteryMinimum: 15,
} as const;

export function formatDeviceId(index: number): string {
  return `dev-${String(index + 1).padStart(4, '0')}`;
}

const DEVICE_ID_PATTERN = /^dev-(\d{4,5})$/;

/** The index for a canonical device id, `undefined` if the id is not one this API could ever issue. */
export function parseDeviceId(id: string): number | undefined {
  const match = DEVICE_ID_PATTERN.exec(id);
  if (!match?.[1]) return undefined;
  const index = Number(match[1]) - 1;
  return index >= 0 && formatDeviceId(index) === id ? index : undefined;
}

export function isDeviceIdShaped(id: string): boolean {
  return DEVICE_ID_PATTERN.test(id);
}

function makeProfile(seed: number, climate: Climate): DeviceProfile {
  const r = unit(seed, Salt.reliability);
  const reliability: Reliability = r < 0.8 ? 'stable' : r < 0.93 ? 'flaky' : 'outage_prone';
  const degrading = unit(seed, Salt.degrading) < 0.1;
  const batteryPeriodDays = intBetween(3, 10, seed, Salt.batteryPeriod);
  const batteryPeriodMs = batteryPeriodDays * DAY_MS;
  return {
    seed,
    reliability,
    excursionChance: degrading ? 0.6 : 0.03,
    temperatureBase:
      climate === 'cold' ? between(2, 6, seed, Salt.temperature) : between(18, 24, seed, Salt.temperature),
    humidityBase: between(35, 55, seed, Salt.humidity),
    signalBase: between(-90, -55, seed, Salt.signal),
    batteryPeriodMs,
    batteryPhaseMs: intBetween(0, batteryPeriodMs / MINUTE_MS - 1, seed, Salt.batteryPhase) * MINUTE_MS,
    batteryMinimum: intBetween(5, 60, seed, Salt.batteryMinimum),
  };
}

export function createDevice(index: number): Device {
  const seed = hash32(FLEET_SEED, index);
  const model = pick(MODELS, seed, Salt.model);
  const zone = pick(ZONES[model.climate], seed, Salt.zone);
  return {
    index,
    id: formatDeviceId(index),
    name: `${zone} ${intBetween(1, 24, seed, Salt.zoneNumber)}`,
    site: pick(SITES, seed, Salt.site),
    model,
    serialNumber: `SN-${hash32(seed, Salt.serial).toString(16).toUpperCase().padStart(8, '0')}`,
    firmwareVersion: `2.${intBetween(0, 9, seed, Salt.firmware)}.${intBetween(0, 20, seed, Salt.firmware, 1)}`,
    reportIntervalSeconds: MINUTE_MS / 1000,
    thresholds: THRESHOLDS[model.climate],
    profile: makeProfile(seed, model.climate),
  };
}

/** The fleet's devices, built once; memory is proportional to the (bounded) fleet size. */
export interface Fleet {
  readonly devices: readonly Device[];
  get(id: string): Device | undefined;
}

export function createFleet(size: number): Fleet {
  if (!Number.isInteger(size) || size < MIN_FLEET_SIZE || size > MAX_FLEET_SIZE) {
    throw new RangeError(
      `fleetSize must be an integer from ${MIN_FLEET_SIZE} to ${MAX_FLEET_SIZE}, got ${String(size)}`,
    );
  }
  const devices = Array.from({ length: size }, (_, index) => createDevice(index));
  return {
    devices,
    get(id) {
      const index = parseDeviceId(id);
      return index === undefined ? undefined : devices[index];
    },
  };
}
