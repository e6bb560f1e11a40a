// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobSummary } from '../api/job-types.ts';
import type { SessionInfo } from '../api/types.ts';
import { SignedInUserProvider, userFromSession } from '../app/signed-in-user.tsx';
import { type JobListFilters, jobListFilters, jobsRoute, routeHref } from '../router/routes.ts';
import { fakeServer, json, operatorSession, sampleJob, viewerSession } from '../test-support.ts';
import { JobsPage } from './JobsPage.tsx';

afterEach(() => {
  cleanup();
});

function renderPage(session: SessionInfo, filters: JobListFilters = jobListFilters()) {
  window.history.replaceState(null, '', routeHref(jobsRoute(filters)));
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <SignedInUserProvider user={userFromSession(session)}>
        <JobsPage filters={filters} />
      </SignedInUserProvider>
    </QueryClientProvider>,
  );
}

const jobs: JobSummary[] = [
  sampleJob(),
  sampleJob({
    id: 'job-0002',
    status: 'paused',
    pausedReason: 'credentials',
    initiatedBy: { sub: 'usr-operator-0002', name: null },
  }),
  sampleJob({
    id: 'job-0003',
    type: 'telemetry-export',
    status: 'queued',
    progress: { done: 0, total: null },
    startedAt: null,
  }),
  sampleJob({
    id: 'job-0004',
    type: 'recalibration',
    status: 'completed',
    progress: { done: 12, total: 12 },
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:03:12.000Z',
  }),
];

const jobsServer = (extra = {}) =>
  fakeServer({
    'GET /bff/jobs': () => json(200, { items: jobs, total: jobs.length }),
    'GET /api/sites': () => json(200, { items: [{ id: 'austin-lab', name: 'Austin Lab' }] }),
    'GET /api/models': () => json(200, { items: [{ id: 'fg-2', name: 'FrostGuard FG-2', devices: 80 }] }),
    'GET /api/devices': () => json(200, { items: [], total: 118, limit: 1, offset: 0, counts: {} }),
    ...extra,
  });

describe('the jobs list', () => {
  it('shows status, type, progress, who started it, when, and how long, with paused jobs standing out', async () => {
    const { calls } = jobsServer();
    renderPage(viewerSession);
    const rows = await screen.findAllByTestId('job-row');
    expect(rows).toHaveLength(4);
    const [running, paused, queued, completed] = rows as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];

    expect(within(running).getByText('running')).toBeTruthy();
    expect(within(running).getByRole('link', { name: 'Firmware rollout' }).getAttribute('href')).toBe(
      '/jobs/job-0001',
    );
    const bar = within(running).getByRole('progressbar');
    expect([bar.getAttribute('value'), bar.getAttribute('max')]).toEqual(['40', '118']);
    expect(running.textContent).toContain('40 of 118');
    expect(running.textContent).toContain('Olivia Operator');

    expect(paused.className).toContain('job-row-paused');
    expect(within(paused).getByText('paused')).toBeTruthy();
    expect(paused.textContent).toContain('credentials refused');
    expect(paused.textContent).toContain('usr-operator-0002');

    // No total yet: an indeterminate bar (no value), not started, no duration.
    expect(within(queued).getByRole('progressbar').hasAttribute('value')).toBe(false);
    expect(queued.textContent).toContain('0 done');
    expect(queued.textContent).toContain('not started');

    expect(completed.textContent).toContain('Recalibration');
    expect(completed.textContent).toContain('3 min 12 s');
    expect(screen.getByText('4 jobs')).toBeTruthy();

    expect(calls.find((c) => c.path.startsWith('/bff/jobs'))?.path).toBe('/bff/jobs?limit=50&offset=0');
  });

  it('asks the BFF for the filters in the URL, and keeps changes in the URL', async () => {
    const { calls } = jobsServer();
    renderPage(viewerSession, jobListFilters({ status: 'paused', mine: true, page: 2 }));
    await screen.findAllByTestId('job-row');
    expect(calls[0]?.path).toBe('/bff/jobs?status=paused&mine=true&limit=50&offset=50');
    expect((screen.getByLabelText('Started by me') as HTMLInputElement).checked).toBe(true);
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'telemetry-export' } });
    // A filter change starts at the first page again.
    expect(window.location.pathname + window.location.search).toBe(
      '/jobs?status=paused&type=telemetry-export&mine=true',
    );
  });

  it('says why the list is missing while jobs are starting up', async () => {
    fakeServer({
      'GET /bff/jobs': () =>
        json(503, { error: 'jobs_unavailable', message: 'starting', requestId: 'r' }, { 'Retry-After': '3' }),
    });
    renderPage(viewerSession);
    expect((await screen.findByRole('alert')).textContent).toBe('Jobs are starting up, try again in 3 s.');
  });
});

describe('starting a job', () => {
  it('is not offered to viewers, who are told the jobs are read-only for them', async () => {
    const { calls } = jobsServer();
    renderPage(viewerSession);
    await screen.findAllByTestId('job-row');
    expect(screen.queryByRole('button', { name: 'Start job' })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Start a job' })).toBeNull();
    expect(screen.getByText(/Jobs are read-only for you/)).toBeTruthy();
    expect(calls.filter((c) => c.path.startsWith('/api/'))).toHaveLength(0);
  });

  it('counts the matching devices, confirms what will happen, starts, and opens the job', async () => {
    const { calls } = jobsServer({ 'POST /bff/jobs': () => json(202, { id: 'job-0042' }) });
    renderPage(operatorSession);
    await screen.findByText('118 devices match');
    await screen.findByRole('option', { name: 'Austin Lab' });
    fireEvent.change(screen.getByLabelText('Site'), { target: { value: 'austin-lab' } });
    fireEvent.click(screen.getByLabelText('online'));
    // Debounced: one count for the settled selection.
    await waitFor(
      () => expect(calls.map((c) => c.path)).toContain('/api/devices?site=austin-lab&status=online&limit=1'),
      { timeout: 2_000 },
    );
    fireEvent.change(screen.getByLabelText('Firmware version'), { target: { value: '3.1.0' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Start job' }));
    });

    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain(
      'Update firmware to 3.1.0 on 118 devices in batches of 50, 5 canary devices first; stops if more than 10 % fail.',
    );
    expect(dialog.textContent).toContain('Devices: site Austin Lab, status online.');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    });

    await waitFor(() => expect(window.location.pathname).toBe('/jobs/job-0042'));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.headers).toMatchObject({ 'X-CSRF': '1' });
    expect(post?.body).toEqual({
      type: 'firmware-rollout',
      params: {
        version: '3.1.0',
        selection: { site: 'austin-lab', status: ['online'] },
        batchSize: 50,
        canary: 5,
        failureThreshold: 0.1,
      },
    });
  });

  it('marks what needs correcting instead of asking', async () => {
    const { calls } = jobsServer();
    renderPage(operatorSession);
    await screen.findByText('118 devices match');
    fireEvent.click(screen.getByRole('button', { name: 'Start job' }));
    const version = screen.getByLabelText('Firmware version');
    expect(version.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter the firmware version.')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it.each([
    [
      503,
      { error: 'jobs_unavailable', message: 'starting' },
      { 'Retry-After': '7' },
      'Jobs are starting up, try again in 7 s.',
    ],
    [
      400,
      { error: 'bad_request', message: 'params.version: a version like 3.1.0' },
      {},
      'The job was refused: params.version: a version like 3.1.0',
    ],
    [
      403,
      { error: 'insufficient_scope', message: 'no' },
      {},
      'Your role may not start jobs: that needs the operator role.',
    ],
  ])('says clearly why the BFF refused (%i)', async (status, body, headers, text) => {
    jobsServer({ 'POST /bff/jobs': () => json(status, { ...body, requestId: 'req-1' }, headers) });
    renderPage(operatorSession);
    await screen.findByText('118 devices match');
    fireEvent.click(screen.getByRole('radio', { name: 'Recalibration' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Start job' }));
    });
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('Recalibrate 118 devices now.');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    });
    await waitFor(() => expect(screen.getByText(text).getAttribute('role')).toBe('alert'));
    expect(window.location.pathname).toBe('/jobs');
  });
});
