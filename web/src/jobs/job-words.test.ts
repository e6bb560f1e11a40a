import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.ts';
import { formatDateTime } from '../format/time.ts';
import {
  describeDetail,
  describeJobRequest,
  describeJobsError,
  describeParams,
  describeSelection,
  eventLabel,
  formatJobDuration,
  outcomeLabel,
  pauseExplanation,
  personName,
} from './job-words.ts';

const names = {
  site: (id: string) => ({ 'austin-lab': 'Austin Lab' })[id],
  model: (id: string) => ({ 'fg-2': 'FrostGuard FG-2' })[id],
};

describe('the confirmation text', () => {
  it('says what a firmware rollout will do, with the defaults when not given', () => {
    const text = describeJobRequest(
      {
        type: 'firmware-rollout',
        params: { version: '3.1.0', selection: { site: 'austin-lab', status: ['online', 'degraded'] } },
      },
      118,
      names,
    );
    expect(text).toBe(
      'Update firmware to 3.1.0 on 118 devices in batches of 50, 5 canary devices first; stops if more than 10 % fail.' +
        ' Devices: site Austin Lab, status online or degraded.',
    );
  });

  it('follows the chosen batch, canary and threshold, and the singular', () => {
    const text = describeJobRequest(
      {
        type: 'firmware-rollout',
        params: {
          version: '3.2.0-rc1',
          selection: { ids: ['dev-0001'] },
          batchSize: 10,
          canary: 1,
          failureThreshold: 0.025,
        },
      },
      1,
    );
    expect(text).toBe(
      'Update firmware to 3.2.0-rc1 on 1 device in batches of 10, 1 canary device first; stops if more than 2.5 % fail.' +
        ' Devices: device dev-0001.',
    );
    expect(
      describeJobRequest(
        { type: 'firmware-rollout', params: { version: '3', selection: {}, canary: 0 } },
        undefined,
      ),
    ).toContain(
      'on the matching devices in batches of 50, no canary batch; stops if more than 10 % fail. Devices: every device.',
    );
  });

  it('says what an export covers', () => {
    const from = '2025-06-01T00:00:00.000Z';
    const to = '2025-06-02T00:00:00.000Z';
    expect(
      describeJobRequest(
        {
          type: 'telemetry-export',
          params: { selection: { model: 'fg-2' }, from, to, metrics: ['temperature', 'battery'] },
        },
        1200,
        names,
      ),
    ).toBe(
      `Export the temperature and battery readings of ${(1200).toLocaleString()} devices from ${formatDateTime(from)} to ` +
        `${formatDateTime(to)} (1 d) as a CSV file. Devices: model FrostGuard FG-2.`,
    );
  });

  it('says whether a recalibration runs now or on its schedule', () => {
    expect(
      describeJobRequest({ type: 'recalibration', params: { selection: { status: ['degraded'] } } }, 7),
    ).toBe('Recalibrate 7 devices now. Devices: status degraded.');
    expect(
      describeJobRequest(
        {
          type: 'recalibration',
          params: { selection: {}, schedule: { cron: '0 3 * * 1', timezone: 'Europe/Berlin' } },
        },
        40,
      ),
    ).toBe(
      'Recalibrate 40 devices at every occurrence of “0 3 * * 1” (Europe/Berlin); the job waits for the next one.' +
        ' Devices: every device.',
    );
  });

  it('shortens a long id list', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `dev-${i}`);
    expect(describeSelection({ ids })).toBe('12 listed devices (dev-0, dev-1, dev-2, …)');
  });
});

describe('a job in words', () => {
  it('gives the parameters with the defaults the server applied, reading stored JSON defensively', () => {
    expect(
      describeParams('firmware-rollout', { version: '3.1.0', selection: { site: 'austin-lab' } }, names),
    ).toEqual([
      ['Firmware version', '3.1.0'],
      ['Batches', '50 devices each'],
      ['Canary', '5 devices first'],
      ['Stops', 'when more than 10 % fail'],
      ['Devices', 'site Austin Lab'],
    ]);
    expect(describeParams('recalibration', { selection: { status: ['offline', 'bogus'] } })).toEqual([
      ['When', 'once, right away'],
      ['Devices', 'status offline'],
    ]);
    expect(describeParams('telemetry-export', null)).toEqual([
      ['Range', 'unknown to unknown'],
      ['Metrics', 'temperature, humidity, battery and signal'],
      ['Devices', 'every device'],
    ]);
    expect(describeParams('something-new', { a: 1 })).toEqual([['Parameters', 'a: 1']]);
  });

  it('explains why a job is paused', () => {
    expect(pauseExplanation('credentials')).toBe(
      "The automation account's credentials were refused. Fix the credentials, then resume.",
    );
    expect(pauseExplanation('idp_unavailable')).toBe(
      'The sign-in service is unavailable; the job resumes by itself.',
    );
  });

  it('names outcomes, events and who did them', () => {
    expect(outcomeLabel('already_current')).toBe('Already current');
    expect(outcomeLabel('some_new_outcome')).toBe('Some new outcome');
    expect(eventLabel('threshold_reached')).toBe('Failure threshold reached');
    expect(eventLabel('credentialsRotated')).toBe('Credentials rotated');
    expect(personName(null)).toBe('system');
    expect(personName({ sub: 'usr-1', name: null })).toBe('usr-1');
  });

  it('renders a detail compactly', () => {
    expect(describeDetail(null)).toBe('');
    expect(describeDetail({ batch: 2, failedShare: 0.2, devices: ['a', 'b'] })).toBe(
      'batch: 2 · failed share: 0.2 · devices: ["a","b"]',
    );
    expect(describeDetail('x'.repeat(200))).toHaveLength(160);
  });

  it('gives the duration until finished, or until now while running', () => {
    const job = { startedAt: '2025-06-01T11:00:00.000Z', finishedAt: null };
    expect(formatJobDuration(job, Date.parse('2025-06-01T11:03:12.000Z'))).toBe('3 min 12 s');
    expect(formatJobDuration({ ...job, finishedAt: '2025-06-01T13:05:00.000Z' }, 0)).toBe('2 h 5 min');
    expect(formatJobDuration({ startedAt: null, finishedAt: null }, 0)).toBe('not started');
  });

  it('says why a jobs call failed', () => {
    const error = (status: number, code: string, message = 'm', retryAfterMs?: number) =>
      new ApiError({ status, code, message, source: 'bff', retryAfterMs });
    expect(describeJobsError(error(503, 'jobs_unavailable', 'starting', 4_200), 'start')).toBe(
      'Jobs are starting up, try again in 5 s.',
    );
    expect(describeJobsError(error(400, 'bad_request', 'params.batchSize: too big'), 'start')).toBe(
      'The job was refused: params.batchSize: too big',
    );
    expect(describeJobsError(error(403, 'insufficient_scope'), 'start')).toBe(
      'Your role may not start jobs: that needs the operator role.',
    );
  });
});
