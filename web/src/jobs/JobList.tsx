import type { JobSummary } from '../api/job-types.ts';
import { formatTime, formatTimeWithSeconds, isoOf } from '../format/time.ts';
import { Link } from '../router/router.tsx';
import { jobRoute } from '../router/routes.ts';
import { JobProgress, JobStatusBadge } from './JobParts.tsx';
import { jobTypeLabel } from './job-labels.ts';
import { formatJobDuration, personName } from './job-words.ts';

const PAUSED_SHORT: Record<string, string> = {
  credentials: 'credentials refused — needs an operator',
  idp_unavailable: 'sign-in service down — resumes by itself',
};

/** Jobs as a table, newest first; paused ones stand out (they may be waiting for someone). */
export function JobList({ jobs, now }: { jobs: readonly JobSummary[]; now: number }) {
  return (
    <div className="table-scroll">
      <table className="jobs-table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Job</th>
            <th scope="col">Progress</th>
            <th scope="col">Started by</th>
            <th scope="col">Created</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr
              key={job.id}
              data-testid="job-row"
              className={job.status === 'paused' ? 'job-row job-row-paused' : 'job-row'}
            >
              <td>
                <JobStatusBadge status={job.status} />
                {job.status === 'paused' && (
                  <span className="paused-reason">
                    {PAUSED_SHORT[job.pausedReason ?? ''] ?? 'waiting for an operator'}
                  </span>
                )}
                {job.nextRunAt && (
                  <span className="next-run">
                    next run <time dateTime={isoOf(job.nextRunAt)}>{formatTime(job.nextRunAt)}</time>
                  </span>
                )}
              </td>
              <td>
                <Link to={jobRoute(job.id)} className="job-link">
                  {jobTypeLabel(job.type)}
                </Link>
                <span className="job-id">{job.id}</span>
              </td>
              <td>
                <JobProgress job={job} label={`Progress of ${job.id}`} />
              </td>
              <td>{personName(job.initiatedBy)}</td>
              <td>
                <time dateTime={isoOf(job.createdAt)} title={formatTimeWithSeconds(job.createdAt)}>
                  {formatTime(job.createdAt)}
                </time>
              </td>
              <td className="cell-number">{formatJobDuration(job, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
