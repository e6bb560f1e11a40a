import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { jobListFilters } from '../router/routes.ts';
import { isApiKey, queryKeys } from './query-keys.ts';

describe('queryKeys', () => {
  it('gives equal keys for equal arguments and different keys otherwise', () => {
    expect(queryKeys.devices.telemetry('dev-0001', 'battery', '6h')).toEqual(
      queryKeys.devices.telemetry('dev-0001', 'battery', '6h'),
    );
    const keys = [
      queryKeys.session(),
      queryKeys.sites(),
      queryKeys.devices.list(),
      queryKeys.devices.detail('dev-0001'),
      queryKeys.devices.detail('dev-0002'),
      queryKeys.devices.telemetry('dev-0001', 'battery', '6h'),
      queryKeys.devices.telemetry('dev-0001', 'battery', '24h'),
      queryKeys.devices.telemetry('dev-0001', 'signal', '6h'),
      queryKeys.devices.commands('dev-0001'),
      queryKeys.alerts.list({ view: 'active', severity: '' }),
      queryKeys.alerts.list({ view: 'open', severity: '' }),
      queryKeys.models(),
      queryKeys.devices.count({}),
      queryKeys.devices.count({ site: 'ams-dc' }),
      queryKeys.jobs.list(jobListFilters()),
      queryKeys.jobs.list(jobListFilters({ page: 2 })),
      queryKeys.jobs.detailPage('job-1', 0),
      queryKeys.jobs.detailPage('job-1', 100),
    ].map((key) => JSON.stringify(key));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('nests keys so that invalidating a prefix reaches exactly what is under it', async () => {
    const client = new QueryClient();
    const all = [
      queryKeys.session(),
      queryKeys.devices.list(),
      queryKeys.devices.detail('dev-0001'),
      queryKeys.devices.telemetry('dev-0001', 'temperature', '1h'),
      queryKeys.devices.detail('dev-0002'),
      queryKeys.alerts.list({ view: 'active', severity: '' }),
      queryKeys.alerts.list({ view: 'all', severity: 'critical' }),
    ];
    for (const key of all) client.setQueryData(key, 1);
    const invalidated = async (prefix: readonly unknown[]) => {
      for (const key of all) client.setQueryData(key, 1); // fresh again
      await client.invalidateQueries({ queryKey: prefix });
      return client
        .getQueryCache()
        .getAll()
        .filter((q) => q.state.isInvalidated)
        .map((q) => JSON.stringify(q.queryKey))
        .sort();
    };
    expect(await invalidated(queryKeys.alerts.all())).toEqual(
      [
        queryKeys.alerts.list({ view: 'active', severity: '' }),
        queryKeys.alerts.list({ view: 'all', severity: 'critical' }),
      ]
        .map((k) => JSON.stringify(k))
        .sort(),
    );
    expect(await invalidated(queryKeys.devices.detail('dev-0001'))).toEqual(
      [queryKeys.devices.detail('dev-0001'), queryKeys.devices.telemetry('dev-0001', 'temperature', '1h')]
        .map((k) => JSON.stringify(k))
        .sort(),
    );
    // Every device-API query, and not the session.
    expect(await invalidated(queryKeys.api())).toHaveLength(all.length - 1);
  });

  it('tells device-API keys from the BFF keys (session, jobs)', () => {
    expect(isApiKey(queryKeys.devices.list())).toBe(true);
    expect(isApiKey(queryKeys.alerts.all())).toBe(true);
    expect(isApiKey(queryKeys.session())).toBe(false);
    expect(isApiKey(queryKeys.jobs.list(jobListFilters()))).toBe(false);
  });

  it('puts every page of a job detail under its detail key', async () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.jobs.detailPage('job-1', 0), 1);
    client.setQueryData(queryKeys.jobs.detailPage('job-1', 100), 1);
    client.setQueryData(queryKeys.jobs.detailPage('job-10', 0), 1);
    await client.invalidateQueries({ queryKey: queryKeys.jobs.detail('job-1') });
    const invalidated = client
      .getQueryCache()
      .getAll()
      .filter((q) => q.state.isInvalidated);
    expect(invalidated).toHaveLength(2);
  });
});
