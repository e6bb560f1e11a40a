import { useEffect, useId, useState } from 'react';
import { DEVICE_STATUSES } from '../api/types.ts';
import type { FleetFilters, FleetSort } from '../router/routes.ts';
import type { SiteOption } from './fleet-view.ts';

const SORT_LABELS: Record<FleetSort, string> = {
  name: 'Name (A–Z)',
  status: 'Status (problems first)',
  site: 'Site',
  '-lastSeen': 'Last seen (newest first)',
  lastSeen: 'Last seen (oldest first)',
  '-temperature': 'Temperature (highest first)',
  battery: 'Battery (lowest first)',
  signal: 'Signal (weakest first)',
};

export interface FleetControlsProps {
  filters: FleetFilters;
  sites: readonly SiteOption[];
  onChange: (change: Partial<FleetFilters>) => void;
}

/** Site, status, search and sort, each a labelled native control. */
export function FleetControls({ filters, sites, onChange }: FleetControlsProps) {
  const id = useId();
  // The search box keeps its own text so typing stays instant; the URL follows it.
  const [search, setSearch] = useState(filters.q);
  useEffect(() => setSearch(filters.q), [filters.q]);
  return (
    <search className="fleet-controls" aria-label="Filter devices">
      <div className="field">
        <label htmlFor={`${id}-site`}>Site</label>
        <select id={`${id}-site`} value={filters.site} onChange={(e) => onChange({ site: e.target.value })}>
          <option value="">All sites</option>
          {sites.map((site) => (
            <option key={site.id} value={site.id}>
              {site.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select
          id={`${id}-status`}
          value={filters.status}
          onChange={(e) => onChange({ status: e.target.value as FleetFilters['status'] })}
        >
          <option value="">All statuses</option>
          {DEVICE_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-grow">
        <label htmlFor={`${id}-search`}>Search</label>
        <input
          id={`${id}-search`}
          type="search"
          value={search}
          placeholder="Device name or id"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => {
            setSearch(e.target.value);
            onChange({ q: e.target.value });
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-sort`}>Sort</label>
        <select
          id={`${id}-sort`}
          value={filters.sort}
          onChange={(e) => onChange({ sort: e.target.value as FleetSort })}
        >
          {Object.entries(SORT_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
    </search>
  );
}
