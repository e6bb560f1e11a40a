import './bench.css';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import type { TelemetryPoint } from '../../web/src/api/types.ts';
import { TimeSeriesChart } from '../../web/src/charts/TimeSeriesChart.tsx';

// The benchmark page (bench/chart-render.ts builds and loads it): mounts the app's own telemetry chart
// with 100,000 points and times it from the mount to the first painted frame.

export interface ChartRenderTiming {
  points: number;
  /** From the mount to uPlot's first completed draw of the canvas. */
  drawnMs: number;
  /** From the mount to the first frame painted after that draw. */
  paintedMs: number;
}

declare global {
  interface Window {
    runChartBench(points: number): Promise<ChartRenderTiming>;
  }
}

const MINUTE = 60_000;

/** A minute-by-minute temperature series (about 69 days) with daily swings, noise and outages. */
function telemetry(count: number): TelemetryPoint[] {
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
  const points: TelemetryPoint[] = new Array(count);
  let seed = 42;
  for (let i = 0; i < count; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    const t = end - (count - 1 - i) * MINUTE;
    const offline = i % 9_000 > 8_800;
    const value = 21 + 3 * Math.sin((2 * Math.PI * t) / 86_400_000) + (seed / 2_147_483_648 - 0.5) * 0.8;
    points[i] = [t, offline ? null : Math.round(value * 10) / 10];
  }
  return points;
}

const nextPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

window.runChartBench = async (count) => {
  const points = telemetry(count); // the API's job, not the chart's: not timed
  // Let the fresh page settle (its own first frame, collecting the garbage from making the data)
  // before timing: the chart's render is measured, not the test data's generation.
  await nextPaint();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await nextPaint();
  const container = document.getElementById('chart');
  if (!container) throw new Error('no #chart');
  let drawnAt = 0;
  let markDrawn = () => {};
  const drawn = new Promise<void>((resolve) => {
    markDrawn = resolve;
  });
  const onDrawn = () => {
    if (drawnAt === 0) drawnAt = performance.now();
    markDrawn();
  };
  const root = createRoot(container);
  const started = performance.now();
  flushSync(() =>
    root.render(
      <TimeSeriesChart
        caption="Temperature"
        summary="benchmark series"
        unit="°C"
        color="#c2410c"
        points={points}
        thresholds={[
          { value: 26, label: 'warning', level: 'warning' },
          { value: 30, label: 'critical', level: 'critical' },
        ]}
        onDrawn={onDrawn}
      />,
    ),
  );
  await drawn;
  await nextPaint();
  const paintedAt = performance.now();
  return { points: count, drawnMs: drawnAt - started, paintedMs: paintedAt - started };
};
