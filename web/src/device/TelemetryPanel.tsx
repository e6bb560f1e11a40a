import { useMemo } from 'react';
import { useTelemetry } from '../api/telemetry-hooks.ts';
import type { Metric, TelemetryPoint, Thresholds } from '../api/types.ts';
import { summarizeSeries } from '../charts/aligned-data.ts';
import { TimeSeriesChart } from '../charts/TimeSeriesChart.tsx';
import { formatTimeWithSeconds } from '../format/time.ts';
import type { RangeKey } from '../router/routes.ts';
import { METRIC_CAPTION, METRIC_COLOR, METRIC_VALUE_RANGE, metricThresholds } from './metric-display.ts';

const NO_POINTS: readonly TelemetryPoint[] = [];
const RANGE_WORDS: Record<RangeKey, string> = {
  '1h': 'the last hour',
  '6h': 'the last 6 hours',
  '24h': 'the last 24 hours',
  '7d': 'the last 7 days',
};

export interface TelemetryPanelProps {
  deviceId: string;
  metric: Metric;
  range: RangeKey;
  unit: string;
  thresholds: Thresholds | undefined;
}

/** One metric's chart, polled while the page is open; the last drawing stays while a new one loads. */
export function TelemetryPanel({ deviceId, metric, range, unit, thresholds }: TelemetryPanelProps) {
  const telemetry = useTelemetry(deviceId, metric, range);
  const data = telemetry.data;
  const points = data?.points ?? NO_POINTS;
  const caption = METRIC_CAPTION[metric];
  const lines = useMemo(() => metricThresholds(metric, thresholds), [metric, thresholds]);
  const timeRange = useMemo(
    () => (data ? ([Date.parse(data.from), Date.parse(data.to)] as const) : undefined),
    [data],
  );
  const stats = useMemo(() => summarizeSeries(points), [points]);
  const summary =
    stats.latest === null
      ? `${caption} over ${RANGE_WORDS[range]}: no readings`
      : `${caption} over ${RANGE_WORDS[range]}: latest ${stats.latest} ${unit}, lowest ${stats.min} ${unit}, highest ${stats.max} ${unit}`;
  const showingOtherRange = telemetry.isPlaceholderData;
  let note: string;
  if (telemetry.isPending) note = 'Loading…';
  else if (showingOtherRange) note = 'Loading the new range…';
  else if (telemetry.isError) {
    note = data
      ? `Not updated since ${formatTimeWithSeconds(telemetry.dataUpdatedAt)} (${telemetry.error.message})`
      : `Could not be loaded (${telemetry.error.message})`;
  } else if (stats.latest === null) note = 'No readings in this range (device offline)';
  else {
    const step = (data?.step ?? 60) / 60;
    const cadence = step === 1 ? 'one point a minute' : `one point every ${step} min`;
    note = `Latest ${stats.latest} ${unit} · lowest ${stats.min} · highest ${stats.max} · ${cadence}`;
  }

  return (
    <TimeSeriesChart
      caption={caption}
      summary={summary}
      unit={unit}
      color={METRIC_COLOR[metric]}
      points={points}
      thresholds={lines}
      valueRange={METRIC_VALUE_RANGE[metric]}
      timeRange={showingOtherRange ? undefined : timeRange}
    >
      <p className="chart-note">{note}</p>
    </TimeSeriesChart>
  );
}
