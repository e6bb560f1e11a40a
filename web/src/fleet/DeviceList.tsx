import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, memo, useRef } from 'react';
import type { DeviceSummary } from '../api/types.ts';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatAgo, formatTimeWithSeconds, isoOf } from '../format/time.ts';
import { Link } from '../router/router.tsx';
import { DEFAULT_RANGE } from '../router/routes.ts';

const ROW_HEIGHT = 56;
const PAGE_ROWS = 10;

const reading = (value: number | null, unit: string) => (value === null ? '—' : `${value} ${unit}`);

const DeviceRow = memo(function DeviceRow({ device, now }: { device: DeviceSummary; now: number }) {
  const detailsId = `device-${device.id}-details`;
  return (
    <Link
      to={{ name: 'device', id: device.id, range: DEFAULT_RANGE }}
      className={`device-row row-${device.status}`}
      data-testid="device-row"
      aria-label={device.name}
      aria-describedby={detailsId}
    >
      <span className="cell cell-name">
        <span className="device-name">{device.name}</span>
        <span className="device-id">{device.id}</span>
      </span>
      <span id={detailsId} className="cell-details">
        <span className="cell cell-site">{device.siteName}</span>
        <span className="cell cell-status">
          <StatusBadge status={device.status} />
          {device.activeAlerts > 0 && (
            <span className="alert-count">
              {device.activeAlerts === 1 ? '1 alert' : `${device.activeAlerts} alerts`}
            </span>
          )}
        </span>
        <span className="cell cell-seen">
          <span className="visually-hidden">last seen </span>
          <time dateTime={isoOf(device.lastSeen)} title={formatTimeWithSeconds(device.lastSeen, now)}>
            {formatAgo(device.lastSeen, now)}
          </time>
        </span>
        <span className="cell cell-number">
          <span className="visually-hidden">temperature </span>
          {reading(device.readings.temperature, '°C')}
        </span>
        <span className="cell cell-number cell-battery">
          <span className="visually-hidden">battery </span>
          {reading(device.readings.battery, '%')}
        </span>
      </span>
    </Link>
  );
});

/**
 * The fleet as a virtualised list: only the rows in view (plus a few) are in the DOM, so 10,000
 * devices scroll smoothly. Rows are keyed by device id so a poll updates them in place. Arrow keys,
 * Page Up/Down, Home and End move between rows, scrolling rows into existence as needed.
 */
export function DeviceList({ rows, now }: { rows: readonly DeviceSummary[]; now: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => rows[index]?.id ?? index,
  });

  const focusRow = (index: number, attempt = 0) => {
    const target = scroller.current?.querySelector<HTMLElement>(`[data-index="${index}"] a`);
    if (target) target.focus();
    else if (attempt < 5) requestAnimationFrame(() => focusRow(index, attempt + 1));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const item = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!item || rows.length === 0) return;
    const index = Number(item.dataset.index);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + PAGE_ROWS,
      PageUp: index - PAGE_ROWS,
      Home: 0,
      End: rows.length - 1,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = Math.min(rows.length - 1, Math.max(0, next));
    virtualizer.scrollToIndex(target, { align: 'auto' });
    focusRow(target);
  };

  if (rows.length === 0) return <p className="empty">No devices match these filters.</p>;

  return (
    <div className="device-list">
      <div className="device-list-head" aria-hidden="true">
        <span className="cell cell-name">Device</span>
        <span className="cell-details">
          <span className="cell cell-site">Site</span>
          <span className="cell cell-status">Status</span>
          <span className="cell cell-seen">Last seen</span>
          <span className="cell cell-number">Temperature</span>
          <span className="cell cell-number cell-battery">Battery</span>
        </span>
      </div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: arrow keys for the links inside */}
      <div ref={scroller} className="device-list-scroll" onKeyDown={onKeyDown}>
        <ul aria-label="Devices" className="device-list-items" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const device = rows[item.index];
            if (!device) return null;
            return (
              <li
                key={item.key}
                data-index={item.index}
                aria-setsize={rows.length}
                aria-posinset={item.index + 1}
                className="device-list-item"
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                <DeviceRow device={device} now={now} />
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}
