import { isApiError } from '../api/api-error.ts';
import { isApiKey } from '../api/query-keys.ts';

// What the banners say, derived from the query cache: whether the sign-in service is down (the BFF
// keeps the session and answers 503 idp_unavailable) and which device data is stale since when
// (502/504 from /api, or no answer at all).

export interface QueryLike {
  queryKey: readonly unknown[];
  meta?: { label?: string } | undefined;
  state: {
    status: 'pending' | 'error' | 'success';
    error: unknown;
    fetchFailureReason: unknown;
    dataUpdatedAt: number;
    errorUpdatedAt: number;
  };
}

export interface ConnectionIssues {
  idpUnavailable: boolean;
  /** Set when device data could not be refreshed: since when it is old, and which data. */
  stale: { since: number; labels: string[] } | undefined;
}

/** The failure a query is in now: during retries the last one, after them the final one. */
function currentFailure(state: QueryLike['state']): unknown {
  return state.fetchFailureReason ?? (state.status === 'error' ? state.error : null);
}

const isUpstreamFailure = (error: unknown) =>
  isApiError(error) && (error.status === 502 || error.status === 504 || error.status === 0);

export function connectionIssues(queries: readonly QueryLike[]): ConnectionIssues {
  let idpUnavailable = false;
  let since = Number.POSITIVE_INFINITY;
  const labels = new Set<string>();
  for (const query of queries) {
    const failure = currentFailure(query.state);
    if (!failure) continue;
    if (isApiError(failure) && failure.code === 'idp_unavailable') idpUnavailable = true;
    if (isApiKey(query.queryKey) && isUpstreamFailure(failure)) {
      const { dataUpdatedAt, errorUpdatedAt } = query.state;
      since = Math.min(since, dataUpdatedAt || errorUpdatedAt || Date.now());
      labels.add(query.meta?.label ?? 'device data');
    }
  }
  return {
    idpUnavailable,
    stale: labels.size > 0 ? { since, labels: [...labels].sort() } : undefined,
  };
}

/** A string that changes exactly when the banners would, to keep re-renders to real changes. */
export const connectionIssuesKey = (issues: ConnectionIssues): string =>
  JSON.stringify([issues.idpUnavailable, issues.stale?.since, issues.stale?.labels]);
