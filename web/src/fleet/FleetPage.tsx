import { useMemo } from 'react';
import { useDevices } from '../api/device-hooks.ts';
import { DEVICE_STATUSES, type DeviceStatus } from '../api/types.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { UpdatedStamp } from '../components/UpdatedStamp.tsx';
import { navigate } from '../router/router.tsx';
import { type FleetFilters, fleetRoute } from '../router/routes.ts';
import { DeviceList } from './DeviceList.tsx';
import { FleetControls } from './FleetControls.tsx';
import { fleetView, siteOptions } from './fleet-view.ts';

const count = (n: number) => n.toLocaleString();
const STATUS_LABEL: Record<DeviceStatus, string> = {
  online: 'Online',
  degraded: 'Degraded',
  offline: 'Offline',
};

/** Every device, filterable and sortable, polled; filters live in the URL. */
export function FleetPage({ filters }: { filters: FleetFilters }) {
  const devices = useDevices();
  const all = devices.data;
  const view = useMemo(() => (all ? fleetView(all, filters) : undefined), [all, filters]);
  const sites = useMemo(() => (all ? siteOptions(all) : []), [all]);
  const setFilters = (change: Partial<FleetFilters>) =>
    navigate(fleetRoute({ ...filters, ...change }), { replace: true });

  return (
    <>
      <div className="page-title-row">
        <PageHeading>Fleet</PageHeading>
        <UpdatedStamp query={devices} hasData={Boolean(all)} fetching={devices.isFetching} />
      </div>
      <fieldset className="status-counts">
        <legend className="visually-hidden">Devices per status (select to filter)</legend>
        {DEVICE_STATUSES.map((status) => (
          <button
            key={status}
            type="button"
            className={`count-chip status-${status}`}
            aria-pressed={filters.status === status}
            onClick={() => setFilters({ status: filters.status === status ? '' : status })}
          >
            {`${STATUS_LABEL[status]} ${view ? view.counts[status] : '…'}`}
          </button>
        ))}
      </fieldset>
      <FleetControls filters={filters} sites={sites} onChange={setFilters} />
      {view ? (
        <>
          <p className="result-count" aria-live="polite">
            {view.rows.length === all?.length
              ? `${count(view.rows.length)} devices`
              : `${count(view.rows.length)} of ${count(all?.length ?? 0)} devices`}
          </p>
          <DeviceList rows={view.rows} now={devices.dataUpdatedAt} />
        </>
      ) : devices.isError ? (
        <p className="banner banner-warning" role="alert">
          The device list could not be loaded: {devices.error.message}
        </p>
      ) : (
        <p className="loading">Loading devices…</p>
      )}
    </>
  );
}
