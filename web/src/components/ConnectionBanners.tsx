import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { type ConnectionIssues, connectionIssues, connectionIssuesKey } from '../app/connection-issues.ts';
import { formatTimeWithSeconds } from '../format/time.ts';

/** The connection state of every query in the cache, re-rendering only when a banner would change. */
function useConnectionIssues(): ConnectionIssues {
  const cache = useQueryClient().getQueryCache();
  const snapshot = useCallback(() => connectionIssuesKey(connectionIssues(cache.getAll())), [cache]);
  const key = useSyncExternalStore(
    useCallback((onChange) => cache.subscribe(onChange), [cache]),
    snapshot,
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the cache's state
  return useMemo(() => connectionIssues(cache.getAll()), [cache, key]);
}

/**
 * Quiet banners about data that may be out of date; the screens keep showing what they have. Inside
 * one polite live region so that screen readers hear them appear.
 */
export function ConnectionBanners() {
  const { idpUnavailable, stale } = useConnectionIssues();
  return (
    <div className="banners" aria-live="polite">
      {idpUnavailable && (
        <p className="banner banner-quiet" data-testid="banner-idp">
          Sign-in service unavailable — showing the last data, retrying…
        </p>
      )}
      {stale && (
        <p className="banner banner-quiet" data-testid="banner-stale">
          Device data may be stale since {formatTimeWithSeconds(stale.since)} ({stale.labels.join(', ')}
          {' could not be updated'}).
        </p>
      )}
    </div>
  );
}
