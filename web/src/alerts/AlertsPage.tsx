import { useState } from 'react';
import { ALERTS_SHOWN, useAlerts } from '../api/alert-hooks.ts';
import type { AlertListFilters } from '../api/query-keys.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { UpdatedStamp } from '../components/UpdatedStamp.tsx';
import { AlertList } from './AlertList.tsx';

const VIEWS: Record<AlertListFilters['view'], string> = {
  active: 'Active (acknowledged or not)',
  open: 'Not acknowledged (incl. resolved)',
  all: 'All of the last 24 hours',
};

const EMPTY: Record<AlertListFilters['view'], string> = {
  active: 'No active alerts.',
  open: 'Every alert is acknowledged.',
  all: 'No alerts in the last 24 hours.',
};

/** Alerts newest first with their severity; operators acknowledge them. */
export function AlertsPage() {
  const [filters, setFilters] = useState<AlertListFilters>({ view: 'active', severity: '' });
  const alerts = useAlerts(filters);
  const page = alerts.data;
  return (
    <>
      <div className="page-title-row">
        <PageHeading>Alerts</PageHeading>
        <UpdatedStamp query={alerts} hasData={Boolean(page)} />
      </div>
      <search className="fleet-controls" aria-label="Filter alerts">
        <div className="field">
          <label htmlFor="alerts-view">Show</label>
          <select
            id="alerts-view"
            value={filters.view}
            onChange={(e) => setFilters({ ...filters, view: e.target.value as AlertListFilters['view'] })}
          >
            {Object.entries(VIEWS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="alerts-severity">Severity</label>
          <select
            id="alerts-severity"
            value={filters.severity}
            onChange={(e) =>
              setFilters({ ...filters, severity: e.target.value as AlertListFilters['severity'] })
            }
          >
            <option value="">Any severity</option>
            <option value="critical">critical</option>
            <option value="warning">warning</option>
            <option value="info">info</option>
          </select>
        </div>
      </search>
      {page ? (
        <>
          <p className="result-count" aria-live="polite">
            {page.total > page.items.length
              ? `The newest ${page.items.length} of ${page.total} alerts`
              : `${page.total} ${page.total === 1 ? 'alert' : 'alerts'}`}
          </p>
          {page.items.length === 0 ? (
            <p className="empty">{EMPTY[filters.view]}</p>
          ) : (
            <AlertList alerts={page.items} />
          )}
        </>
      ) : alerts.isError ? (
        <p className="banner banner-warning" role="alert">
          The alerts could not be loaded: {alerts.error.message}
        </p>
      ) : (
        <p className="loading">Loading alerts…</p>
      )}
      {page && page.total > ALERTS_SHOWN && (
        <p className="muted">Narrow the list by severity to see older alerts.</p>
      )}
    </>
  );
}
