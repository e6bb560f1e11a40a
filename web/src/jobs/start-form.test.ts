import { describe, expect, it } from 'vitest';
import {
  buildStartRequest,
  initialStartForm,
  isCronShaped,
  isTimeZone,
  selectionOf,
  toLocalInput,
} from './start-form.ts';

const now = Date.parse('2025-06-01T12:34:56.000Z');
const form = (change = {}) => ({ ...initialStartForm(now, 'Europe/Berlin'), ...change });

describe('the start form', () => {
  it('defaults to a rollout with the BFF defaults and an export of the last 24 hours', () => {
    const initial = initialStartForm(now, 'Europe/Berlin');
    expect(initial).toMatchObject({
      type: 'firmware-rollout',
      batchSize: '50',
      canary: '5',
      failurePercent: '10',
    });
    expect(initial.to).toBe(toLocalInput(Date.parse('2025-06-01T12:34:00.000Z')));
    expect(initial.from).toBe(toLocalInput(Date.parse('2025-05-31T12:34:00.000Z')));
  });

  it('leaves empty filters out of the selection and reads ids separated by commas or spaces', () => {
    expect(selectionOf({ site: '', model: '', statuses: [], ids: ' ' })).toEqual({});
    expect(
      selectionOf({
        site: 'austin-lab',
        model: 'fg-2',
        statuses: ['offline', 'online'],
        ids: 'dev-1, dev-2 dev-1;dev-3',
      }),
    ).toEqual({
      site: 'austin-lab',
      model: 'fg-2',
      status: ['online', 'offline'],
      ids: ['dev-1', 'dev-2', 'dev-3'],
    });
  });

  it('builds a rollout, turning the percentage into a share', () => {
    expect(
      buildStartRequest(form({ version: ' 3.1.0 ', failurePercent: '12.5', site: 'austin-lab' })),
    ).toEqual({
      ok: true,
      request: {
        type: 'firmware-rollout',
        params: {
          version: '3.1.0',
          selection: { site: 'austin-lab' },
          batchSize: 50,
          canary: 5,
          failureThreshold: 0.125,
        },
      },
    });
  });

  it('names every field the BFF would refuse', () => {
    const result = buildStartRequest(
      form({ version: '', batchSize: '0', canary: '-1', failurePercent: '150', ids: 'a b/c' }),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(
      ['batchSize', 'canary', 'failurePercent', 'ids', 'version'].sort(),
    );
  });

  it('builds an export as ISO instants, at most 31 days', () => {
    const ok = buildStartRequest(
      form({
        type: 'telemetry-export',
        from: '2025-06-01T00:00',
        to: '2025-06-02T00:00',
        metrics: ['signal', 'battery'],
      }),
    );
    expect(ok).toEqual({
      ok: true,
      request: {
        type: 'telemetry-export',
        params: {
          selection: {},
          from: new Date('2025-06-01T00:00').toISOString(),
          to: new Date('2025-06-02T00:00').toISOString(),
          metrics: ['battery', 'signal'],
        },
      },
    });
    const long = buildStartRequest(
      form({ type: 'telemetry-export', from: '2025-01-01T00:00', to: '2025-03-01T00:00' }),
    );
    expect(!long.ok && long.errors.to).toMatch(/31 days/);
    const backwards = buildStartRequest(
      form({ type: 'telemetry-export', from: '2025-01-02T00:00', to: '2025-01-01T00:00' }),
    );
    expect(!backwards.ok && backwards.errors.to).toMatch(/after the start/);
    const none = buildStartRequest(form({ type: 'telemetry-export', metrics: [] }));
    expect(!none.ok && none.errors.metrics).toBeTruthy();
  });

  it('builds a recalibration now, or on a schedule that has five fields and a known zone', () => {
    expect(buildStartRequest(form({ type: 'recalibration' }))).toEqual({
      ok: true,
      request: { type: 'recalibration', params: { selection: {} } },
    });
    expect(
      buildStartRequest(form({ type: 'recalibration', scheduled: true, cron: ' 0  3 * * 1-5 ' })),
    ).toEqual({
      ok: true,
      request: {
        type: 'recalibration',
        params: { selection: {}, schedule: { cron: '0 3 * * 1-5', timezone: 'Europe/Berlin' } },
      },
    });
    const bad = buildStartRequest(
      form({ type: 'recalibration', scheduled: true, cron: '0 3 * *', timezone: 'Mars/Base' }),
    );
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual(['cron', 'timezone']);
    expect(isCronShaped('*/15 * * * *')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('Europe/Berlin; DROP')).toBe(false);
  });
});
