import { useId } from 'react';
import { JOBS_PAGE_SIZE, useJobs } from '../api/job-hooks.ts';
import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from '../api/job-types.ts';
import { useSignedInUser } from '../app/signed-in-user.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { UpdatedStamp } from '../components/UpdatedStamp.tsx';
import { navigate } from '../router/router.tsx';
import { type JobListFilters, jobsRoute } from '../router/routes.ts';
import { JobList } from './JobList.tsx';
import { LiveState, Pager } from './JobParts.tsx';
import { JOB_TYPE_LABEL } from './job-labels.ts';
import { describeJobsError } from './job-words.ts';
import { StartJobForm } from './StartJobForm.tsx';
import { useNow } from './use-now.ts';

/** Automation jobs: the list with its filters, and for operators the form that starts one. */
export function JobsPage({ filters }: { filters: JobListFilters }) {
  const user = useSignedInUser();
  const jobs = useJobs(filters);
  const page = jobs.data;
  const now = useNow(1_000, page?.items.some((job) => job.status === 'running') ?? false);
  const setFilters = (change: Partial<JobListFilters>) =>
    navigate(jobsRoute({ ...filters, page: 1, ...change }), { replace: true });
  const failure = jobs.error ?? jobs.failureReason;

  return (
    <>
      <div className="page-title-row">
        <PageHeading>Jobs</PageHeading>
        <div className="page-meta">
          <LiveState />
          <UpdatedStamp query={jobs} hasData={Boolean(page)} />
        </div>
      </div>
      <div className={user.isOperator ? 'jobs-layout' : 'jobs-layout jobs-layout-single'}>
        <section aria-labelledby="jobs-list-heading" className="jobs-list">
          <h2 id="jobs-list-heading" className="visually-hidden">
            All jobs
          </h2>
          {!user.isOperator && (
            <p className="muted read-only-note">
              Jobs are read-only for you: starting, resuming and cancelling jobs needs the operator role.
            </p>
          )}
          <JobFilters filters={filters} onChange={setFilters} />
          {page ? (
            <>
              <p className="result-count" aria-live="polite">
                {page.total === 1 ? '1 job' : `${page.total.toLocaleString()} jobs`}
              </p>
              {page.items.length === 0 ? (
                <p className="empty">No jobs match these filters.</p>
              ) : (
                <JobList jobs={page.items} now={now} />
              )}
              <Pager
                label="Job list pages"
                page={filters.page}
                pageSize={JOBS_PAGE_SIZE}
                total={page.total}
                onPage={(next) => navigate(jobsRoute({ ...filters, page: next }))}
              />
            </>
          ) : failure ? (
            <p className="banner banner-warning" role="alert">
              {describeJobsError(failure, 'load')}
            </p>
          ) : (
            <p className="loading">Loading jobs…</p>
          )}
        </section>
        {user.isOperator && <StartJobForm />}
      </div>
    </>
  );
}

function JobFilters({
  filters,
  onChange,
}: {
  filters: JobListFilters;
  onChange: (change: Partial<JobListFilters>) => void;
}) {
  const id = useId();
  return (
    <search className="fleet-controls" aria-label="Filter jobs">
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select
          id={`${id}-status`}
          value={filters.status}
          onChange={(e) => onChange({ status: e.target.value as JobStatus | '' })}
        >
          <option value="">Any status</option>
          {JOB_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-type`}>Type</label>
        <select
          id={`${id}-type`}
          value={filters.type}
          onChange={(e) => onChange({ type: e.target.value as JobType | '' })}
        >
          <option value="">Any type</option>
          {JOB_TYPES.map((type) => (
            <option key={type} value={type}>
              {JOB_TYPE_LABEL[type]}
            </option>
          ))}
        </select>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={filters.mine}
          onChange={(e) => onChange({ mine: e.target.checked })}
        />
        Started by me
      </label>
    </search>
  );
}
