import { type ReactElement, useContext } from 'react';
import { JobStreamStateContext } from '../api/job-stream-state.ts';
import { isFinished, type JobStatus, type JobSummary } from '../api/job-types.ts';

// Small pieces shared by the list and a job's page.

/** The status as text with a shape (set in CSS), so colour is never the only signal. */
export function JobStatusBadge({ status }: { status: JobStatus }) {
  return <span className={`badge job-status job-status-${status}`}>{status}</span>;
}

export function progressText({ done, total }: JobSummary['progress']): string {
  return total === null
    ? `${done.toLocaleString()} done`
    : `${done.toLocaleString()} of ${total.toLocaleString()}`;
}

/**
 * A native `<progress>` (announced as a progress bar) with the numbers beside it; indeterminate while
 * the job does not know its total yet. A finished job never shows the moving bar.
 */
export function JobProgress({
  job,
  label = 'Progress',
}: {
  job: Pick<JobSummary, 'progress' | 'status'>;
  /** The bar's accessible name; in a list, say whose progress it is. */
  label?: string;
}) {
  const { done, total } = job.progress;
  const text = progressText(job.progress);
  let bar: ReactElement;
  if (total === null && !isFinished(job.status)) {
    bar = <progress aria-label={label} aria-valuetext={text} />;
  } else {
    const max = Math.max(1, total ?? done);
    const value = total === 0 && isFinished(job.status) ? max : Math.min(done, max);
    bar = <progress aria-label={label} aria-valuetext={text} value={value} max={max} />;
  }
  return (
    <div className="job-progress">
      {bar}
      <span className="job-progress-text">{text}</span>
    </div>
  );
}

/** "1–50 of 123" with Previous / Next. */
export function Pager(props: {
  label: string;
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const { label, page, pageSize, total, onPage } = props;
  if (total <= pageSize && page === 1) return null;
  const first = Math.min(total, (page - 1) * pageSize + 1);
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="pager" aria-label={label}>
      <span className="muted">{`${first.toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()}`}</span>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <button type="button" disabled={last >= total} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/** Says when the page falls back to polling because the live event stream is not connected. */
export function LiveState() {
  const state = useContext(JobStreamStateContext);
  if (state === 'live') return <span className="live-state is-live">Live</span>;
  if (state === 'connecting') return null;
  return <span className="live-state">Live updates interrupted — refreshing every 5 s</span>;
}
