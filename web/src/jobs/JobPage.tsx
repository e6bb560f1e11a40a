import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { hasCode } from '../api/api-error.ts';
import {
  JOB_ITEMS_PAGE_SIZE,
  modelsQuery,
  sitesQuery,
  useDownloadResult,
  useJob,
  useJobAction,
} from '../api/job-hooks.ts';
import { isFinished, type JobAuditEvent, type JobDetail, type JobItemEntry } from '../api/job-types.ts';
import { useSignedInUser } from '../app/signed-in-user.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { UpdatedStamp } from '../components/UpdatedStamp.tsx';
import { formatTimeWithSeconds, isoOf } from '../format/time.ts';
import { Link, navigate } from '../router/router.tsx';
import { jobRoute } from '../router/routes.ts';
import { JobProgress, JobStatusBadge, LiveState, Pager } from './JobParts.tsx';
import { jobTypeLabel } from './job-labels.ts';
import {
  describeDetail,
  describeJobsError,
  describeParams,
  eventLabel,
  formatJobDuration,
  type NameLookup,
  outcomeLabel,
  pauseExplanation,
  personName,
} from './job-words.ts';
import { useNow } from './use-now.ts';

// Outcomes in the order people read them: what went well, then what did not.
const OUTCOME_ORDER = [
  'updated',
  'exported',
  'recalibrated',
  'already_current',
  'failed',
  'offline',
  'not_found',
  'not_attempted',
];

function Time({ at }: { at: string | null }) {
  if (!at) return <>—</>;
  return <time dateTime={isoOf(at)}>{formatTimeWithSeconds(at)}</time>;
}

/** Tooltips carry the whole detail; the cell shows one compact line. */
const fullDetail = (detail: unknown) =>
  detail === null || detail === undefined ? undefined : JSON.stringify(detail, null, 1);

/** One job: status, progress, parameters, outcomes per device, the audit trail, and its actions. */
export function JobPage({ id, page }: { id: string; page: number }) {
  const job = useJob(id, (page - 1) * JOB_ITEMS_PAGE_SIZE);
  const sites = useQuery(sitesQuery);
  const models = useQuery(modelsQuery);
  const names: NameLookup = useMemo(
    () => ({
      site: (siteId) => sites.data?.find((s) => s.id === siteId)?.name,
      model: (modelId) => models.data?.find((m) => m.id === modelId)?.name,
    }),
    [sites.data, models.data],
  );
  const detail = job.data;
  const now = useNow(1_000, detail?.status === 'running');

  if (hasCode(job.error, 'not_found')) {
    return (
      <>
        <PageHeading>Job not found</PageHeading>
        <p>
          There is no job <code>{id}</code>. <Link to="/jobs">Go to the jobs</Link>.
        </p>
      </>
    );
  }
  if (!detail) {
    const failure = job.error ?? job.failureReason;
    return (
      <>
        <PageHeading title={`Job ${id}`}>Job</PageHeading>
        {failure ? (
          <p className="banner banner-warning" role="alert">
            {describeJobsError(failure, 'load')}
          </p>
        ) : (
          <p className="loading">Loading job…</p>
        )}
      </>
    );
  }

  const label = jobTypeLabel(detail.type);
  const summary = Object.entries(detail.summary).sort(
    ([a], [b]) =>
      (OUTCOME_ORDER.indexOf(a) + 1 || OUTCOME_ORDER.length + 1) -
      (OUTCOME_ORDER.indexOf(b) + 1 || OUTCOME_ORDER.length + 1),
  );
  return (
    <div className="job-page">
      <p className="breadcrumb">
        <Link to="/jobs">All jobs</Link>
      </p>
      <div className="page-title-row">
        <PageHeading title={`${label} ${detail.id}`}>{label}</PageHeading>
        <div className="page-meta">
          <LiveState />
          <UpdatedStamp query={job} hasData />
        </div>
      </div>
      <div className="job-header">
        <JobStatusBadge status={detail.status} />
        <JobProgress job={detail} />
      </div>
      <dl className="device-facts">
        <div>
          <dt>Started by</dt>
          <dd>{personName(detail.initiatedBy)}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <Time at={detail.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <Time at={detail.startedAt} />
          </dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>
            <Time at={detail.finishedAt} />
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatJobDuration(detail, now)}</dd>
        </div>
        {detail.nextRunAt && (
          <div>
            <dt>Next run</dt>
            <dd>
              <Time at={detail.nextRunAt} />
            </dd>
          </div>
        )}
        <div>
          <dt>Id</dt>
          <dd>{detail.id}</dd>
        </div>
      </dl>

      {detail.status === 'paused' && (
        <div className="banner banner-warning job-paused" data-testid="job-paused">
          <strong>This job is paused.</strong> {pauseExplanation(detail.pausedReason)}
        </div>
      )}
      {detail.status === 'failed' && (
        <p className="banner banner-warning">{`The job failed${detail.error ? `: ${detail.error}` : '.'}`}</p>
      )}

      <JobActions job={detail} />

      <div className="job-sections">
        <section className="panel" aria-labelledby="job-params">
          <h2 id="job-params">Parameters</h2>
          <dl className="param-list">
            {describeParams(detail.type, detail.params, names).map(([term, value]) => (
              <div key={term}>
                <dt>{term}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section className="panel" aria-labelledby="job-outcomes">
          <h2 id="job-outcomes">Outcomes</h2>
          {summary.length === 0 ? (
            <p className="muted">No device has been processed yet.</p>
          ) : (
            <dl className="outcome-counts">
              {summary.map(([outcome, n]) => (
                <div key={outcome} className={`outcome-count outcome-${outcome}`}>
                  <dt>{outcomeLabel(outcome)}</dt>
                  <dd>{n.toLocaleString()}</dd>
                </div>
              ))}
            </dl>
          )}
        </section>
      </div>

      <section className="job-section" aria-labelledby="job-devices">
        <h2 id="job-devices">Devices</h2>
        <JobItemsTable entries={detail.items.entries} />
        <Pager
          label="Device outcome pages"
          page={page}
          pageSize={JOB_ITEMS_PAGE_SIZE}
          total={detail.items.total}
          onPage={(next) => navigate(jobRoute(detail.id, next), { replace: true })}
        />
      </section>

      <section className="job-section" aria-labelledby="job-timeline">
        <h2 id="job-timeline">Timeline</h2>
        <JobTimeline events={detail.events} />
      </section>
    </div>
  );
}

function JobActions({ job }: { job: JobDetail }) {
  const user = useSignedInUser();
  const action = useJobAction(job.id);
  const download = useDownloadResult(job.id);
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const open = !isFinished(job.status) || job.nextRunAt !== null;

  let status = '';
  if (action.isPending) status = action.variables === 'cancel' ? 'Cancelling…' : 'Resuming…';
  else if (action.isError) status = describeJobsError(action.error, action.variables ?? 'resume');
  else if (action.data)
    status =
      action.variables === 'resume'
        ? 'Resumed: the job continues where it stopped.'
        : action.data.status === 'cancelled'
          ? 'The job is cancelled.'
          : 'Cancelling: the job stops after the current step.';
  if (download.isPending) status = 'Downloading the result…';
  else if (download.isError) status = describeJobsError(download.error, 'download');

  return (
    <div className="job-actions">
      {user.isOperator && job.status === 'paused' && (
        <button
          type="button"
          className="button-primary"
          disabled={action.isPending}
          onClick={() => action.mutate('resume')}
        >
          Resume
        </button>
      )}
      {user.isOperator && open && (
        <button type="button" disabled={action.isPending} onClick={() => setConfirmingCancel(true)}>
          Cancel job
        </button>
      )}
      {job.hasResult && (
        <button type="button" disabled={download.isPending} onClick={() => download.mutate()}>
          Download result
        </button>
      )}
      {!user.isOperator && open && (
        <p className="muted">Resuming and cancelling jobs needs the operator role.</p>
      )}
      <p role="status" className="command-status">
        {status}
      </p>
      <ConfirmDialog
        open={confirmingCancel}
        title="Cancel this job?"
        description={
          job.nextRunAt
            ? `${jobTypeLabel(job.type)} ${job.id}: the schedule ends and no further runs happen. This cannot be undone.`
            : `${jobTypeLabel(job.type)} ${job.id}: the job stops; devices it has not reached yet are left as they are. This cannot be undone.`
        }
        cancelLabel="Keep job"
        onConfirm={() => {
          setConfirmingCancel(false);
          action.mutate('cancel');
        }}
        onCancel={() => setConfirmingCancel(false)}
      />
    </div>
  );
}

function JobItemsTable({ entries }: { entries: readonly JobItemEntry[] }) {
  if (entries.length === 0) return <p className="muted">No per-device outcome yet.</p>;
  return (
    <div className="table-scroll">
      <table className="jobs-table">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Outcome</th>
            <th scope="col">Detail</th>
            <th scope="col">At</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            // A scheduled job records a device once per run: the id alone is not unique.
            <tr key={`${entry.key}|${entry.at}`} data-testid="job-item">
              <td>
                <Link to={`/devices/${encodeURIComponent(entry.key)}`}>{entry.key}</Link>
              </td>
              <td>
                <span className={`outcome outcome-${entry.outcome}`}>{outcomeLabel(entry.outcome)}</span>
              </td>
              <td className="detail-cell" title={fullDetail(entry.detail)}>
                {describeDetail(entry.detail)}
              </td>
              <td>
                <Time at={entry.at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function JobTimeline({ events }: { events: readonly JobAuditEvent[] }) {
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <ol className="timeline">
      {events.map((event, index) => {
        const detail = describeDetail(event.detail);
        return (
          // Events have no id; their order is fixed (the audit trail is append-only).
          // biome-ignore lint/suspicious/noArrayIndexKey: append-only list, the index is stable
          <li key={index} className={`timeline-event event-${event.kind}`}>
            <Time at={event.at} />
            <span className="timeline-kind">{eventLabel(event.kind)}</span>
            <span className="timeline-by">by {personName(event.by)}</span>
            {detail && (
              <span className="timeline-detail" title={fullDetail(event.detail)}>
                {detail}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
