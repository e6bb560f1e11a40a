// The alerts the API serves: derived alerts (cached for the current minute, the only time they can
// change) joined with acknowledgements, the one piece of mutable alert state, plus a bounded cache of
// scan progress so each minute only looks at new samples.
import {
  ALERT_HISTORY_MS,
  type Alert,
  degradesDevice,
  deriveDeviceAlerts,
  deviceIdOfAlertId,
  newestFirst,
  type ScanState,
} from './alerts.ts';
import { BoundedMap } from './bounded-map.ts';
import type { Device, Fleet } from './fleet.ts';
import { sampleTime } from './schedule.ts';

export interface Acknowledgement {
  by: string;
  at: number;
}

export interface AlertWithAck {
  alert: Alert;
  acknowledgement: Acknowledgement | undefined;
}

/** Far more than a day of alerts for the largest fleet; the oldest acknowledgements go first. */
const MAX_ACKNOWLEDGEMENTS = 20_000;
/** Scan progress per (device, rule, episode); a day of episodes of the largest fleet fits easily. */
const MAX_SCAN_STATES = 100_000;

interface Snapshot {
  minute: number;
  all: Alert[];
  byDevice: Map<string, Alert[]>;
}

export class AlertBook {
  readonly #fleet: Fleet;
  readonly #acks: BoundedMap<string, Acknowledgement>;
  readonly #scans = new BoundedMap<string, ScanState>(MAX_SCAN_STATES);
  #snapshot: Snapshot | undefined;

  constructor(fleet: Fleet, maxAcknowledgements = MAX_ACKNOWLEDGEMENTS) {
    this.#fleet = fleet;
    this.#acks = new BoundedMap(maxAcknowledgements);
  }

  #snapshotAt(now: number): Snapshot {
    const minute = sampleTime(now);
    if (this.#snapshot?.minute === minute) return this.#snapshot;
    const byDevice = new Map<string, Alert[]>();
    const all: Alert[] = [];
    for (const device of this.#fleet.devices) {
      const alerts = deriveDeviceAlerts(device, minute, { historyMs: ALERT_HISTORY_MS, memo: this.#scans });
      byDevice.set(device.id, alerts);
      all.push(...alerts);
    }
    all.sort(newestFirst);
    this.#snapshot = { minute, all, byDevice };
    return this.#snapshot;
  }

  #withAck(alert: Alert): AlertWithAck {
    return { alert, acknowledgement: this.#acks.get(alert.id) };
  }

  /** Every alert of the fleet in the history window, newest first. */
  list(now: number): AlertWithAck[] {
    return this.#snapshotAt(now).all.map((a) => this.#withAck(a));
  }

  forDevice(device: Device, now: number): AlertWithAck[] {
    return (this.#snapshotAt(now).byDevice.get(device.id) ?? []).map((a) => this.#withAck(a));
  }

  /** Whether an active warning or critical reading alert makes the device `degraded`. */
  degrades(device: Device, now: number): boolean {
    return (this.#snapshotAt(now).byDevice.get(device.id) ?? []).some((a) => degradesDevice(a, now));
  }

  /** The alert with this id if it exists now; malformed ids and unknown devices give `undefined`. */
  get(id: string, now: number): AlertWithAck | undefined {
    const deviceId = deviceIdOfAlertId(id);
    const alerts = deviceId === undefined ? undefined : this.#snapshotAt(now).byDevice.get(deviceId);
    const alert = alerts?.find((a) => a.id === id);
    return alert && this.#withAck(alert);
  }

  /**
   * Acknowledges once: a repeated acknowledgement keeps the first one (who and when) and is not an
   * error, so retries after a lost response are safe.
   */
  acknowledge(alert: Alert, by: string, now: number): AlertWithAck {
    if (!this.#acks.has(alert.id)) this.#acks.set(alert.id, { by, at: now });
    return this.#withAck(alert);
  }
}
