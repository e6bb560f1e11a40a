import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.ts';
import { queryKeys } from '../api/query-keys.ts';
import { connectionIssues, type QueryLike } from './connection-issues.ts';

const error = (status: number, code: string) => new ApiError({ status, code, message: code, source: 'api' });

function query(key: readonly unknown[], state: Partial<QueryLike['state']>, label?: string): QueryLike {
  return {
    queryKey: key,
    meta: label ? { label } : undefined,
    state: {
      status: 'success',
      error: null,
      fetchFailureReason: null,
      dataUpdatedAt: 1_000,
      errorUpdatedAt: 0,
      ...state,
    },
  };
}

describe('connectionIssues', () => {
  it('reports nothing when every query is fine', () => {
    expect(connectionIssues([query(queryKeys.devices.list(), {})])).toEqual({
      idpUnavailable: false,
      stale: undefined,
    });
  });

  it('reports the identity provider down while a query retries on idp_unavailable, and after', () => {
    const retrying = query(queryKeys.alerts.all(), { fetchFailureReason: error(503, 'idp_unavailable') });
    expect(connectionIssues([retrying]).idpUnavailable).toBe(true);
    const failed = query(queryKeys.session(), { status: 'error', error: error(503, 'idp_unavailable') });
    expect(connectionIssues([failed]).idpUnavailable).toBe(true);
  });

  it('names the device data that is stale on 502/504, since its oldest successful update', () => {
    const issues = connectionIssues([
      query(
        queryKeys.devices.list(),
        { status: 'error', error: error(502, 'upstream_unavailable'), dataUpdatedAt: 5_000 },
        'fleet list',
      ),
      query(
        queryKeys.devices.detail('dev-1'),
        { fetchFailureReason: error(504, 'upstream_unavailable'), dataUpdatedAt: 3_000 },
        'device details',
      ),
      query(queryKeys.alerts.all(), { dataUpdatedAt: 1 }, 'alerts'),
    ]);
    expect(issues.stale).toEqual({ since: 3_000, labels: ['device details', 'fleet list'] });
    expect(issues.idpUnavailable).toBe(false);
  });

  it('does not call other failures stale data, nor BFF failures device data', () => {
    const issues = connectionIssues([
      query(queryKeys.devices.detail('x'), { status: 'error', error: error(404, 'not_found') }),
      query(queryKeys.session(), { status: 'error', error: error(502, 'upstream_unavailable') }),
    ]);
    expect(issues.stale).toBeUndefined();
  });

  it('clears once the query succeeds again', () => {
    expect(connectionIssues([query(queryKeys.devices.list(), { status: 'success' })]).stale).toBeUndefined();
  });
});
