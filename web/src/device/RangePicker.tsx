import { RANGES, type RangeKey } from '../router/routes.ts';

const LABELS: Record<RangeKey, string> = { '1h': '1 h', '6h': '6 h', '24h': '24 h', '7d': '7 d' };

/** Toggle buttons for the chart window; the choice lives in the URL (`?range=`). */
export function RangePicker({ range, onChange }: { range: RangeKey; onChange: (range: RangeKey) => void }) {
  return (
    <fieldset className="range-picker">
      <legend>Time range</legend>
      {RANGES.map((key) => (
        <button key={key} type="button" aria-pressed={key === range} onClick={() => onChange(key)}>
          {LABELS[key]}
        </button>
      ))}
    </fieldset>
  );
}
