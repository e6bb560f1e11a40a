import type uPlot from 'uplot';

// uPlot options for one telemetry series: time axis in epoch milliseconds, one line with gaps where
// the device was offline, and dashed threshold lines so a reading past a limit stands out.

export interface Threshold {
  value: number;
  label: string;
  level: 'critical' | 'warning' | 'info';
}

export interface ChartSpec {
  unit: string;
  color: string;
  width: number;
  height: number;
  thresholds: readonly Threshold[];
  /** A fixed value range (percentages); otherwise fitted to the data and the thresholds. */
  valueRange?: readonly [number, number] | undefined;
  /** The time window to show; otherwise fitted to the data. */
  timeRange?: (() => readonly [number, number] | undefined) | undefined;
}

const THRESHOLD_COLORS: Record<Threshold['level'], string> = {
  critical: '#b91c1c',
  warning: '#b45309',
  info: '#4b5563',
};

// One short font list for every text on the canvas: each font a canvas meets for the first time costs
// a lookup of every family in it (uPlot's default lists ten), and that is paid on the first render.
const FONT_PX = 12;
const FONT = `${FONT_PX}px system-ui, sans-serif`;
const canvasFont = () => `${FONT_PX * uPlotPixelRatio()}px system-ui, sans-serif`;

const AXIS = {
  stroke: '#3f4a5a',
  font: FONT,
  grid: { stroke: '#e5e9f0', width: 1 },
  ticks: { stroke: '#cbd2dc' },
};

function drawThresholds(thresholds: readonly Threshold[]) {
  return (u: uPlot) => {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.lineWidth = Math.max(1, uPlotPixelRatio());
    ctx.setLineDash([6 * uPlotPixelRatio(), 4 * uPlotPixelRatio()]);
    ctx.font = canvasFont();
    ctx.textBaseline = 'bottom';
    // Labels sit at the right end; one that would overlap the previous label moves to the left end.
    let previousLabelY = Number.NEGATIVE_INFINITY;
    const labelHeight = 18 * uPlotPixelRatio();
    for (const threshold of thresholds) {
      const y = Math.round(u.valToPos(threshold.value, 'y', true));
      if (y < top || y > top + height) continue;
      ctx.strokeStyle = THRESHOLD_COLORS[threshold.level];
      ctx.fillStyle = THRESHOLD_COLORS[threshold.level];
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      const crowded = Math.abs(y - previousLabelY) < labelHeight;
      ctx.textAlign = crowded ? 'left' : 'right';
      const x = crowded ? left + 4 * uPlotPixelRatio() : left + width - 4 * uPlotPixelRatio();
      ctx.fillText(threshold.label, x, y - 2 * uPlotPixelRatio());
      if (!crowded) previousLabelY = y;
    }
    ctx.restore();
  };
}

/** Room for the longest tick label (`-105 dBm` needs more than `25 %`), as uPlot's docs suggest. */
function valueAxisSize(u: uPlot, values: string[] | null, axisIndex: number): number {
  const axis = u.axes[axisIndex];
  const longest = (values ?? []).reduce((a, b) => (b.length > a.length ? b : a), '');
  const font = canvasFont();
  if (u.ctx.font !== font) u.ctx.font = font;
  const ticks = axis?.ticks?.size ?? 10;
  return Math.ceil(u.ctx.measureText(longest).width / uPlotPixelRatio()) + ticks + 8;
}

const uPlotPixelRatio = () => (typeof devicePixelRatio === 'number' ? devicePixelRatio : 1);

export function chartOptions(spec: ChartSpec): uPlot.Options {
  const thresholdValues = spec.thresholds.map((t) => t.value);
  return {
    width: spec.width,
    height: spec.height,
    ms: 1,
    // No legend table (DOM built on every mount costs the first render); the chart shows the hovered
    // value in its own readout (TimeSeriesChart).
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    scales: {
      x: {
        time: true,
        range: (_u, min, max) => {
          const window = spec.timeRange?.();
          return window ? [window[0], window[1]] : [min, max];
        },
      },
      y: {
        range: (_u, min, max) => {
          if (spec.valueRange) return [spec.valueRange[0], spec.valueRange[1]];
          // Keep the thresholds in view, with some headroom around the data.
          const low = Math.min(min ?? 0, ...thresholdValues);
          const high = Math.max(max ?? 1, ...thresholdValues);
          const pad = Math.max((high - low) * 0.08, 0.5);
          return [low - pad, high + pad];
        },
      },
    },
    series: [
      { label: 'Time' },
      {
        label: spec.unit,
        stroke: spec.color,
        width: 1.5,
        spanGaps: false,
        points: { show: false },
        value: (_u, value) => (value === null ? '—' : `${value} ${spec.unit}`),
      },
    ],
    axes: [
      AXIS,
      { ...AXIS, size: valueAxisSize, values: (_u, ticks) => ticks.map((tick) => `${tick} ${spec.unit}`) },
    ],
    hooks: spec.thresholds.length > 0 ? { draw: [drawThresholds(spec.thresholds)] } : {},
  };
}
