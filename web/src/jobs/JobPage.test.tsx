// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobDetail } from '../api/job-types.ts';
import type { SessionInfo } from '../api/types.ts';
import { SignedInUserProvider, userFromSession } from '../app/signed-in-user.tsx';
import {
  fakeServer,
  json,
  operatorSession,
  sampleJob,
  sampleJobDetail,
  viewerSession,
} from '../test-support.ts';
import { JobPage } from './JobPage.tsx';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function renderJob(session: SessionInfo, page = 1) {
  window.history.replaceState(null, '', '/jobs/job-0001');
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <SignedInUserProvider user={userFromSession(session)}>
        <JobPage id="job-0001" page={page} />
      </SignedInUserProvider>
    </QueryClientProvider>,
  );
}

const pausedJob = sampleJobDetail({ status: 'paused', pausedReason: 'credentials' });

function jobServer(detail: JobDetail, extra = {}) {
  return fakeServer({
    'GET /bff/jobs/job-0001': () => json(200, detail),
    'GET /api/sites': () => json(200, { items: [{ id: 'austin-lab', name: 'Austin Lab' }] }),
    'GET /api/models': () => json(200, { items: [] }),
    ...extra,
  });
}

describe("a job's page", () => {
  it('shows the header, the parameters in words, outcome counts, per-device outcomes and the timeline', async () => {
    const { calls } = jobServer(sampleJobDetail());
    renderJob(viewerSession);
    expect(await screen.findByRole('heading', { level: 1, name: 'Firmware rollout' })).toBeTruthy();
    expect(calls[0]?.path).toBe('/bff/jobs/job-0001?itemsOffset=0&itemsLimit=100');
    expect(screen.getByText('running')).toBeTruthy();
    expect(screen.getByRole('progressbar').getAttribute('max')).toBe('118');
    expect(screen.getByText('40 of 118')).toBeTruthy();

    const params = screen.getByRole('region', { name: 'Parameters' });
    expect(params.textContent).toContain('Firmware version3.1.0');
    expect(params.textContent).toContain('Batches50 devices each');
    expect(params.textContent).toContain('Stopswhen more than 10 % fail');
    await waitFor(() =>
      expect(params.textContent).toContain('Devicessite Austin Lab, status online or degraded'),
    );

    const outcomes = screen.getByRole('region', { name: 'Outcomes' });
    expect([...outcomes.querySelectorAll('dt')].map((dt) => dt.textContent)).toEqual([
      'Updated',
      'Already current',
      'Failed',
    ]);
    expect(outcomes.textContent).toContain('Updated37');

    const items = screen.getAllByTestId('job-item');
    expect(items).toHaveLength(2);
    expect(
      within(items[0] as HTMLElement)
        .getByRole('link', { name: 'dev-0001' })
        .getAttribute('href'),
    ).toBe('/devices/dev-0001');
    expect(items[1]?.textContent).toContain('Failed');
    expect(items[1]?.textContent).toContain('error: checksum_mismatch');

    const timeline = within(screen.getByRole('region', { name: 'Timeline' })).getAllByRole('listitem');
    expect(timeline.map((li) => [...li.children].map((part) => part.textContent).slice(1))).toEqual([
      ['Created', 'by Olivia Operator'],
      ['Started', 'by system'],
      ['Batch started', 'by system', 'batch: 1 · devices: 5 · canary: true'],
    ]);
    // A viewer: nothing to act with.
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Cancel/ })).toBeNull();
  });

  it('explains a pause for credentials and offers operators Resume and Cancel', async () => {
    const { calls } = jobServer(pausedJob, {
      'POST /bff/jobs/job-0001/resume': () =>
        json(200, sampleJob({ status: 'queued', updatedAt: '2025-06-01T11:10:00.000Z' })),
    });
    renderJob(operatorSession);
    expect((await screen.findByTestId('job-paused')).textContent).toBe(
      "This job is paused. The automation account's credentials were refused. Fix the credentials, then resume.",
    );
    expect(screen.getByRole('button', { name: 'Cancel job' })).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    });
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/^Resumed/));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.path).toBe('/bff/jobs/job-0001/resume');
    expect(post?.headers).toMatchObject({ 'X-CSRF': '1' });
  });

  it('shows viewers why a job is paused, but no Resume or Cancel', async () => {
    jobServer(sampleJobDetail({ status: 'paused', pausedReason: 'idp_unavailable' }));
    renderJob(viewerSession);
    expect((await screen.findByTestId('job-paused')).textContent).toContain(
      'The sign-in service is unavailable; the job resumes by itself.',
    );
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Cancel/ })).toBeNull();
    expect(screen.getByText('Resuming and cancelling jobs needs the operator role.')).toBeTruthy();
  });

  it('asks before cancelling, and sends nothing when the operator keeps the job', async () => {
    const { calls } = jobServer(sampleJobDetail(), {
      'POST /bff/jobs/job-0001/cancel': () =>
        json(200, sampleJob({ status: 'cancelled', updatedAt: '2025-06-01T11:10:00.000Z' })),
    });
    renderJob(operatorSession);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel job' }));
    let dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('Cancel this job?');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep job' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Cancel job' }));
    dialog = await screen.findByRole('dialog');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    });
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('The job is cancelled.'));
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/bff/jobs/job-0001/cancel',
    ]);
  });

  it('says so when the job moved on before the action (409)', async () => {
    jobServer(pausedJob, {
      'POST /bff/jobs/job-0001/resume': () =>
        json(409, { error: 'conflict', message: 'the job is not paused' }),
    });
    renderJob(operatorSession);
    const resume = await screen.findByRole('button', { name: 'Resume' });
    await act(async () => {
      fireEvent.click(resume);
    });
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/no longer allows that/));
  });

  it('downloads the result with fetch (so it carries X-CSRF) and saves it under the server’s name', async () => {
    const { calls } = jobServer(
      sampleJobDetail({ type: 'telemetry-export', status: 'completed', hasResult: true }),
      {
        'GET /bff/jobs/job-0001/result': () =>
          new Response('deviceId,at,temperature\n', {
            status: 200,
            headers: {
              'content-type': 'text/csv',
              'content-disposition': 'attachment; filename="export-job-0001.csv"',
            },
          }),
      },
    );
    const createObjectURL = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:fake');
    const saved: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(`${this.download} ${this.getAttribute('href')}`);
    });
    renderJob(viewerSession);
    const download = await screen.findByRole('button', { name: 'Download result' });
    await act(async () => {
      fireEvent.click(download);
    });
    await waitFor(() => expect(saved).toEqual(['export-job-0001.csv blob:fake']));
    const blob = createObjectURL.mock.calls[0]?.[0] as Blob;
    expect(await blob.text()).toBe('deviceId,at,temperature\n');
    expect(calls.find((c) => c.path.endsWith('/result'))?.headers).toMatchObject({ 'X-CSRF': '1' });
  });

  it('pages the per-device outcomes 100 at a time, the page in the URL', async () => {
    const detail = sampleJobDetail();
    const { calls } = jobServer({ ...detail, items: { ...detail.items, total: 250, offset: 100 } });
    renderJob(viewerSession, 2);
    expect(await screen.findByText('101–200 of 250')).toBeTruthy();
    expect(calls[0]?.path).toBe('/bff/jobs/job-0001?itemsOffset=100&itemsLimit=100');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(window.location.pathname + window.location.search).toBe('/jobs/job-0001?page=3');
  });

  it('says when there is no such job', async () => {
    fakeServer({});
    renderJob(viewerSession);
    expect(await screen.findByRole('heading', { name: 'Job not found' })).toBeTruthy();
  });
});
