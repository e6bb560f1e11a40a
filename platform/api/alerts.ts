// Alerts derived from thresholds: each episode in schedule.ts yields at most one alert per rule,
// raised at the first reported sample past the threshold and resolved when the episode ends.
// Deterministic ids let any instance find, list and acknowledge the same alert.
import type { Device } from './fleet.ts';
import {
  batteryWindowsBelow,
  excursionsOverlapping,
  isReporting,
  type Metric,
  offlineWindowsOverlapping,
  SAMPLE_MS,
  sampleTime,
  type TimeWindow,
} from './schedule.ts';
import { couldBreach, simulatedValue, UNITS } from './telemetry.ts';

export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export type AlertRule =
  | 'device_offline'
  | 'temperature_high'
  | 'temperature_critical'
  | 'humidity_high'
  | 'battery_low'
  | 'battery_critical'
  | 'signal_weak';

/** Alerts are kept until this long after they resolve. */
export const ALERT_HISTORY_MS = 24 * 3_600_000;

/** An outage starts as a warning and escalates to critical once it lasts this long. */
export const OFFLINE_CRITICAL_AFTER_MS = 30 * 60_000;

export interface Alert {
  id: string;
  device: Device;
  rule: AlertRule;
  metric: Metric | 'connectivity';
  severity: Severity;
  /** The reading that raised the alert; `null` for `device_offline`. */
  value: number | null;
  threshold: number | null;
  raisedAt: number;
  /** End of the episode; may lie in the future while the alert is active. */
  resolvesAt: number;
}

interface ThresholdRule {
  rule: Exclude<AlertRule, 'device_offline'>;
  metric: Metric;
  severity: Severity;
  threshold: (device: Device) => number;
  direction: 'above' | 'below';
}

const THRESHOLD_RULES: readonly ThresholdRule[] = [
  {
    rule: 'temperature_high',
    metric: 'temperature',
    severity: 'warning',
    threshold: (d) => d.thresholds.temperature.warning,
    direction: 'above',
  },
  {
    rule: 'temperature_critical',
    metric: 'temperature',
    severity: 'critical',
    threshold: (d) => d.thresholds.temperature.critical,
    direction: 'above',
  },
  {
    rule: 'humidity_high',
    metric: 'humidity',
    severity: 'warning',
    threshold: (d) => d.thresholds.humidity.warning,
    direction: 'above',
  },
  {
    rule: 'signal_weak',
    metric: 'signal',
    severity: 'info',
    threshold: (d) => d.thresholds.signal.info,
    direction: 'below',
  },
  {
    rule: 'battery_low',
    metric: 'battery',
    severity: 'warning',
    threshold: (d) => d.thresholds.battery.warning,
    direction: 'below',
  },
  {
    rule: 'battery_critical',
    metric: 'battery',
    severity: 'critical',
    threshold: (d) => d.thresholds.battery.critical,
    direction: 'below',
  },
];

const ALERT_RULES: ReadonlySet<string> = new Set<AlertRule>([
  'device_offline',
  ...THRESHOLD_RULES.map((r) => r.rule),
]);

export function alertId(device: Device, rule: AlertRule, episodeStart: number): string {
  return `alr-${device.id}-${rule}-${episodeStart / SAMPLE_MS}`;
}

const ALERT_ID_PATTERN = /^alr-(dev-\d{4,5})-([a-z_]+)-(\d{1,12})$/;

/** The device id inside a well-formed alert id, `undefined` if the id is malformed. */
export function deviceIdOfAlertId(id: string): string | undefined {
  const match = ALERT_ID_PATTERN.exec(id);
  return match?.[2] && ALERT_RULES.has(match[2]) ? match[1] : undefined;
}

function breached(rule: ThresholdRule, value: number, threshold: number): boolean {
  return rule.direction === 'above' ? value > threshold : value < threshold;
}

type Prefilter = (threshold: number, t: number) => boolean;

interface Breach {
  t: number;
  value: number;
  threshold: number;
}

/** How far an episode has been scanned, and its breach once found: past samples never change. */
export interface ScanState {
  scannedThrough: number;
  breach: Breach | undefined;
}

/** Optional cache of scan progress (a BoundedMap fits); results are the same with or without it. */
export interface ScanMemo {
  get(key: string): ScanState | undefined;
  set(key: string, state: ScanState): void;
}

interface ScanContext {
  until: number;
  memo: ScanMemo | undefined;
}

/** First reported sample in the window (up to `until`) past the threshold. */
function firstBreach(
  device: Device,
  rule: ThresholdRule,
  window: TimeWindow,
  { until, memo }: ScanContext,
  prefilter?: Prefilter,
): Breach | undefined {
  const key = `${device.id}|${rule.rule}|${window.start}`;
  // The first breach of an episode is fixed whatever the clock says; only whether it is visible yet
  // depends on `until`. So the memo stays valid even when time moves back (as in tests).
  const known = memo?.get(key);
  if (known?.breach) return known.breach.t <= until ? known.breach : undefined;

  const threshold = rule.threshold(device);
  const last = Math.min(window.end - SAMPLE_MS, until);
  const first = known ? Math.max(window.start, known.scannedThrough + SAMPLE_MS) : window.start;
  let breach: Breach | undefined;
  for (let t = first; t <= last; t += SAMPLE_MS) {
    if (prefilter && !prefilter(threshold, t)) continue;
    if (!isReporting(device, t)) continue;
    const value = simulatedValue(device, rule.metric, t);
    if (breached(rule, value, threshold)) {
      breach = { t, value, threshold };
      break;
    }
  }
  memo?.set(key, { scannedThrough: breach?.t ?? Math.max(last, known?.scannedThrough ?? last), breach });
  return breach;
}

/** The alert of one episode: raised by its first breach, resolved when the episode ends. */
function thresholdAlert(
  device: Device,
  rule: ThresholdRule,
  episode: TimeWindow,
  context: ScanContext,
  prefilter?: Prefilter,
): Alert | undefined {
  const breach = firstBreach(device, rule, episode, context, prefilter);
  if (!breach) return undefined;
  return {
    id: alertId(device, rule.rule, episode.start),
    device,
    rule: rule.rule,
    metric: rule.metric,
    severity: rule.severity,
    value: breach.value,
    threshold: breach.threshold,
    raisedAt: breach.t,
    resolvesAt: episode.end,
  };
}

export interface DeriveOptions {
  historyMs?: number;
  memo?: ScanMemo;
}

/**
 * The device's alerts as of `now`: those active at any time within the history window (so an alert
 * stays listed for a day after it resolves). Newest first. Cost is bounded by the episodes in that window, not by the time asked for.
 */
export function deriveDeviceAlerts(device: Device, now: number, options: DeriveOptions = {}): Alert[] {
  const until = sampleTime(now);
  const from = until - (options.historyMs ?? ALERT_HISTORY_MS);
  const context: ScanContext = { until, memo: options.memo };
  const alerts: Alert[] = [];

  for (const window of offlineWindowsOverlapping(device, from, until)) {
    alerts.push({
      id: alertId(device, 'device_offline', window.start),
      device,
      rule: 'device_offline',
      metric: 'connectivity',
      severity:
        Math.min(until, window.end) - window.start >= OFFLINE_CRITICAL_AFTER_MS ? 'critical' : 'warning',
      value: null,
      threshold: null,
      raisedAt: window.start,
      resolvesAt: window.end,
    });
  }
  for (const excursion of excursionsOverlapping(device, from, until)) {
    for (const rule of THRESHOLD_RULES) {
      if (rule.metric !== excursion.metric) continue;
      const prefilter: Prefilter = (threshold, t) => couldBreach(device, excursion, threshold, t);
      const alert = thresholdAlert(device, rule, excursion, context, prefilter);
      if (alert) alerts.push(alert);
    }
  }
  for (const rule of THRESHOLD_RULES) {
    if (rule.metric !== 'battery') continue;
    for (const window of batteryWindowsBelow(device, rule.threshold(device), from, until)) {
      const alert = thresholdAlert(device, rule, window, context);
      if (alert) alerts.push(alert);
    }
  }

  return alerts.filter((a) => a.raisedAt <= until && a.resolvesAt > from).sort(newestFirst);
}

export function newestFirst(a: Alert, b: Alert): number {
  return b.raisedAt - a.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function isActive(alert: Alert, now: number): boolean {
  return alert.resolvesAt > now;
}

/** Whether the alert makes its device `degraded`: active reading alerts of warning or critical. */
export function degradesDevice(alert: Alert, now: number): boolean {
  return alert.rule !== 'device_offline' && alert.severity !== 'info' && isActive(alert, now);
}

export function describeAlert(alert: Alert): string {
  const { device, rule, value, threshold, metric } = alert;
  if (rule === 'device_offline') return `${device.name} (${device.id}) stopped reporting`;
  const unit = metric === 'connectivity' ? '' : UNITS[metric];
  const relation = value !== null && threshold !== null && value > threshold ? 'above' : 'below';
  return `${metric[0]?.toUpperCase()}${metric.slice(1)} ${value} ${unit} ${relation} ${threshold} ${unit} on ${device.name} (${device.id})`;
}
