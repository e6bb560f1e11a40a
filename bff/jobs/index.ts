/**
 * Automation jobs: a person starts a job in the SPA, the BFF checks and records who asked, and the
 * job runs on the service account (client credentials), independent of the person's session. Routes
 * `/bff/jobs` and `/bff/events`; the engine underneath is in `engine/`.
 */
export { AutomationApi, DeviceApiError } from './automation-api.ts';
export { createJobsService } from './create-jobs-service.ts';
export { JobEvents, type JobNotification, type LiveEvent } from './job-events.ts';
export { type JobType, jobTypes } from './job-params.ts';
export { type JobSummary, jobSummary } from './job-view.ts';
export { eventsRoute, JOBS_RUN_SCOPE, jobsRoute } from './jobs-routes.ts';
export { JobsService, type JobsServiceOptions, type JobsState } from './jobs-service.ts';
