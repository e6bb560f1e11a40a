import 'uplot/dist/uPlot.min.css';
import { type ReactNode, useEffect, useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { TelemetryPoint } from '../api/types.ts';
import { formatTime } from '../format/time.ts';
import { bucketsFor, toAlignedData } from './aligned-data.ts';
import { chartOptions, type Threshold } from './chart-options.ts';

export interface TimeSeriesChartProps {
  /** The figure's caption, and so its accessible name. */
  caption: string;
  /** Text alternative for the drawing (latest, lowest, highest value). */
  summary: string;
  unit: string;
  color: string;
  points: readonly TelemetryPoint[];
  thresholds?: readonly Threshold[];
  valueRange?: readonly [number, number] | undefined;
  /** The time window to show (epoch ms); fitted to the data when absent. */
  timeRange?: readonly [number, number] | undefined;
  height?: number;
  /** Called after each draw of the canvas (the benchmark times the first one). */
  onDrawn?: (chart: uPlot) => void;
  /** Shown under the chart (loading and stale notes). */
  children?: ReactNode;
}

const NO_THRESHOLDS: readonly Threshold[] = [];
const FALLBACK_WIDTH = 600;
const pixelRatio = () => (typeof devicePixelRatio === 'number' ? devicePixelRatio : 1);

/**
 * A uPlot line chart in a `<figure>`. The chart is created once per set of options and fed new data
 * in place (`setData`), so polling updates it without a flash; it follows its container's width.
 * Long series are thinned to what the chart's width can show (aligned-data.ts) before uPlot sees them.
 */
export function TimeSeriesChart({
  caption,
  summary,
  unit,
  color,
  points,
  thresholds = NO_THRESHOLDS,
  valueRange,
  timeRange,
  height = 200,
  onDrawn,
  children,
}: TimeSeriesChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  // Read by uPlot's callbacks at draw time, so they always see the latest props without a rebuild.
  const latest = useRef({ points, timeRange, onDrawn });
  latest.current = { points, timeRange, onDrawn };
  const drawnPoints = useRef<readonly TelemetryPoint[] | null>(null);
  const readout = useRef<HTMLParagraphElement>(null);

  const thresholdKey = JSON.stringify(thresholds);
  const rangeLow = valueRange?.[0];
  const rangeHigh = valueRange?.[1];
  // biome-ignore lint/correctness/useExhaustiveDependencies: thresholds enter through their JSON key
  useLayoutEffect(() => {
    const element = host.current;
    if (!element) return;
    const width = element.clientWidth || FALLBACK_WIDTH;
    const options = chartOptions({
      unit,
      color,
      width,
      height,
      thresholds,
      valueRange: rangeLow === undefined || rangeHigh === undefined ? undefined : [rangeLow, rangeHigh],
      timeRange: () => latest.current.timeRange,
    });
    options.hooks = {
      ...options.hooks,
      draw: [...(options.hooks?.draw ?? []), (u) => latest.current.onDrawn?.(u)],
      // The hovered reading, written straight into the DOM: the cursor moves faster than React should.
      setCursor: [
        (u) => {
          const index = u.cursor.idx;
          const time = index == null ? undefined : u.data[0][index];
          const value = index == null ? undefined : u.data[1]?.[index];
          if (readout.current) {
            readout.current.textContent =
              time === undefined
                ? ''
                : `${formatTime(time)}: ${value == null ? 'no reading' : `${value} ${unit}`}`;
          }
        },
      ],
    };
    const instance = new uPlot(
      options,
      toAlignedData(latest.current.points, bucketsFor(width, pixelRatio())),
      element,
    );
    chart.current = instance;
    drawnPoints.current = latest.current.points;
    const resize = new ResizeObserver(([entry]) => {
      const width = Math.round(entry?.contentRect.width ?? 0);
      if (width > 0 && width !== instance.width) instance.setSize({ width, height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      instance.destroy();
      chart.current = null;
    };
  }, [unit, color, height, thresholdKey, rangeLow, rangeHigh]);

  useEffect(() => {
    const instance = chart.current;
    if (!instance || drawnPoints.current === points) return;
    drawnPoints.current = points;
    instance.setData(toAlignedData(points, bucketsFor(instance.width, pixelRatio())));
  }, [points]);

  return (
    <figure className="chart">
      <figcaption>{caption}</figcaption>
      <p ref={readout} className="chart-readout" aria-hidden="true" />
      <div ref={host} className="chart-canvas" role="img" aria-label={summary} />
      {children}
    </figure>
  );
}
