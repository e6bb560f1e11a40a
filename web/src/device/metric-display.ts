import type { Metric, Thresholds } from '../api/types.ts';
import type { Threshold } from '../charts/chart-options.ts';

// How each metric is drawn: caption, line colour (each also has its own caption, so colour is not
// the only way to tell charts apart), fixed value range for percentages, and threshold lines.

export const METRIC_CAPTION: Record<Metric, string> = {
  temperature: 'Temperature',
  humidity: 'Humidity',
  battery: 'Battery',
  signal: 'Signal',
};

export const METRIC_COLOR: Record<Metric, string> = {
  temperature: '#c2410c',
  humidity: '#0369a1',
  battery: '#15803d',
  signal: '#7c3aed',
};

export const METRIC_VALUE_RANGE: Partial<Record<Metric, readonly [number, number]>> = {
  humidity: [0, 100],
  battery: [0, 100],
};

export function metricThresholds(metric: Metric, thresholds: Thresholds | undefined): Threshold[] {
  if (!thresholds) return [];
  switch (metric) {
    case 'temperature':
      return [
        { value: thresholds.temperature.warning, label: 'warning', level: 'warning' },
        { value: thresholds.temperature.critical, label: 'critical', level: 'critical' },
      ];
    case 'humidity':
      return [{ value: thresholds.humidity.warning, label: 'warning', level: 'warning' }];
    case 'battery':
      return [
        { value: thresholds.battery.warning, label: 'low', level: 'warning' },
        { value: thresholds.battery.critical, label: 'critical', level: 'critical' },
      ];
    case 'signal':
      return [{ value: thresholds.signal.info, label: 'weak', level: 'info' }];
  }
}
