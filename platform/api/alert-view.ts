// The JSON shape of an alert.
import type { AlertWithAck } from './alert-book.ts';
import { type AlertRule, describeAlert, isActive, type Severity } from './alerts.ts';
import type { Metric } from './schedule.ts';
import { UNITS } from './telemetry.ts';

export interface AlertJson {
  id: string;
  deviceId: string;
  deviceName: string;
  site: string;
  rule: AlertRule;
  metric: Metric | 'connectivity';
  severity: Severity;
  value: number | null;
  threshold: number | null;
  unit: string | null;
  message: string;
  raisedAt: string;
  active: boolean;
  resolvedAt: string | null;
  status: 'open' | 'acknowledged';
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
}

export function viewAlert({ alert, acknowledgement }: AlertWithAck, now: number): AlertJson {
  const active = isActive(alert, now);
  return {
    id: alert.id,
    deviceId: alert.device.id,
    deviceName: alert.device.name,
    site: alert.device.site.id,
    rule: alert.rule,
    metric: alert.metric,
    severity: alert.severity,
    value: alert.value,
    threshold: alert.threshold,
    unit: alert.metric === 'connectivity' ? null : UNITS[alert.metric],
    message: describeAlert(alert),
    raisedAt: new Date(alert.raisedAt).toISOString(),
    active,
    resolvedAt: active ? null : new Date(alert.resolvesAt).toISOString(),
    status: acknowledgement ? 'acknowledged' : 'open',
    acknowledgedBy: acknowledgement?.by ?? null,
    acknowledgedAt: acknowledgement ? new Date(acknowledgement.at).toISOString() : null,
  };
}
