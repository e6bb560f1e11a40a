import { formatTimeWithSeconds } from '../format/time.ts';

/** "Updated 10:53:16" beside a polled page's title; "Not updated since …" while polls fail. */
export function UpdatedStamp(props: {
  query: { isError: boolean; dataUpdatedAt: number };
  hasData: boolean;
  fetching?: boolean;
}) {
  const { query, hasData, fetching = false } = props;
  return (
    <p className="updated">
      {query.isError && hasData ? 'Not updated since ' : 'Updated '}
      {query.dataUpdatedAt > 0 ? formatTimeWithSeconds(query.dataUpdatedAt) : '—'}
      {fetching && <span className="updating"> · updating…</span>}
    </p>
  );
}
