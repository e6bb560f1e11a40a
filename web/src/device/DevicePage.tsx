import { useEffect, useMemo } from 'react';
import { AlertList } from '../alerts/AlertList.tsx';
import { hasCode } from '../api/api-error.ts';
import { useDevice } from '../api/device-hooks.ts';
import { METRICS } from '../api/types.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatAgo, formatTimeWithSeconds, isoOf } from '../format/time.ts';
import { Link, navigate, useLocationHref } from '../router/router.tsx';
import { type RangeKey, routeHref } from '../router/routes.ts';
import { CommandsPanel } from './CommandsPanel.tsx';
import { RangePicker } from './RangePicker.tsx';
import { TelemetryPanel } from './TelemetryPanel.tsx';

const RECENT_ALERTS = 10;
const DEFAULT_UNITS = { temperature: '°C', humidity: '%', battery: '%', signal: 'dBm' } as const;

/** One device: its state, four live charts over the chosen range, recent alerts, and commands. */
export function DevicePage({ id, range }: { id: string; range: RangeKey }) {
  const device = useDevice(id);
  const href = useLocationHref();
  const canonical = routeHref({ name: 'device', id, range });
  useEffect(() => {
    // Keep the range in the address bar, also when the page was opened without one.
    if (href !== canonical) navigate(canonical, { replace: true });
  }, [href, canonical]);

  const details = device.data;
  const recentAlerts = useMemo(
    () =>
      [...(details?.alerts ?? [])]
        .sort((a, b) => b.raisedAt.localeCompare(a.raisedAt))
        .slice(0, RECENT_ALERTS),
    [details?.alerts],
  );
  if (hasCode(device.error, 'not_found') || hasCode(device.error, 'invalid_id')) {
    return (
      <>
        <PageHeading>Device not found</PageHeading>
        <p>
          There is no device <code>{id}</code>. <Link to="/">Go to the device list</Link>.
        </p>
      </>
    );
  }

  const units = details?.units ?? DEFAULT_UNITS;
  return (
    <div className="device-page">
      <div className="device-header">
        <PageHeading title={details?.name ?? id}>{details?.name ?? id}</PageHeading>
        {details ? (
          <dl className="device-facts">
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={details.status} />
              </dd>
            </div>
            <div>
              <dt>Last seen</dt>
              <dd>
                <time dateTime={isoOf(details.lastSeen)} title={formatTimeWithSeconds(details.lastSeen)}>
                  {formatAgo(details.lastSeen, device.dataUpdatedAt)}
                </time>
              </dd>
            </div>
            <div>
              <dt>Site</dt>
              <dd>{details.siteName}</dd>
            </div>
            <div>
              <dt>Model</dt>
              <dd>
                {details.manufacturer} {details.model}
              </dd>
            </div>
            <div>
              <dt>Id</dt>
              <dd>{details.id}</dd>
            </div>
            <div>
              <dt>Firmware</dt>
              <dd>{details.firmwareVersion}</dd>
            </div>
          </dl>
        ) : device.isError ? (
          <p className="banner banner-warning" role="alert">
            This device could not be loaded: {device.error.message}
          </p>
        ) : (
          <p className="loading">Loading device…</p>
        )}
      </div>

      <div className="device-layout">
        <section className="device-charts" aria-labelledby="telemetry-heading">
          <div className="section-title-row">
            <h2 id="telemetry-heading">Telemetry</h2>
            <RangePicker
              range={range}
              onChange={(next) => navigate({ name: 'device', id, range: next }, { replace: true })}
            />
          </div>
          <div className="chart-grid">
            {METRICS.map((metric) => (
              <TelemetryPanel
                key={metric}
                deviceId={id}
                metric={metric}
                range={range}
                unit={units[metric]}
                thresholds={details?.thresholds}
              />
            ))}
          </div>
        </section>

        <aside className="device-side">
          {details && (
            <section aria-labelledby="commands-heading" className="panel">
              <h2 id="commands-heading">Commands</h2>
              <CommandsPanel device={details} />
              {details.commands.length > 0 && (
                <ul className="command-history">
                  {details.commands.slice(0, 5).map((command) => (
                    <li key={command.id}>
                      {command.type} · {command.status} ·{' '}
                      <time dateTime={isoOf(command.issuedAt)}>
                        {formatTimeWithSeconds(command.issuedAt)}
                      </time>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )}
          <section aria-labelledby="recent-alerts-heading" className="panel">
            <h2 id="recent-alerts-heading">Recent alerts</h2>
            {details ? (
              recentAlerts.length > 0 ? (
                <AlertList alerts={recentAlerts} showDevice={false} />
              ) : (
                <p className="muted">No alerts in the last 24 hours.</p>
              )
            ) : (
              <p className="loading">Loading…</p>
            )}
          </section>
        </aside>
      </div>
    </div>
  );
}
