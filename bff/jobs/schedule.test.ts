import { describe, expect, it } from 'vitest';
import { scheduledRunId } from './recalibration.ts';
import { nextOccurrence, ScheduleError } from './schedule.ts';

describe('nextOccurrence', () => {
  it('keeps local time across a daylight-saving change', () => {
    const schedule = { cron: '0 3 * * *', timezone: 'Europe/Berlin' };
    // Berlin moves from CET (UTC+1) to CEST (UTC+2) on 2026-03-29.
    expect(nextOccurrence(schedule, new Date('2026-03-27T12:00:00Z')).toISOString()).toBe(
      '2026-03-28T02:00:00.000Z',
    );
    expect(nextOccurrence(schedule, new Date('2026-03-29T12:00:00Z')).toISOString()).toBe(
      '2026-03-30T01:00:00.000Z',
    );
  });

  it('is strictly after the given time', () => {
    const schedule = { cron: '*/15 * * * *', timezone: 'UTC' };
    expect(nextOccurrence(schedule, new Date('2026-01-01T10:15:00Z')).toISOString()).toBe(
      '2026-01-01T10:30:00.000Z',
    );
  });

  it('refuses an unknown time zone and a bad expression with a message naming the field', () => {
    expect(() => nextOccurrence({ cron: '0 3 * * *', timezone: 'Mars/Base' }, new Date())).toThrow(
      ScheduleError,
    );
    expect(() => nextOccurrence({ cron: '0 3 * * *', timezone: 'Mars/Base' }, new Date())).toThrow(
      /schedule\.timezone/,
    );
    expect(() => nextOccurrence({ cron: '61 * * * *', timezone: 'UTC' }, new Date())).toThrow(
      /schedule\.cron/,
    );
  });
});

describe('scheduledRunId', () => {
  it('is the same for the same occurrence and a valid uuid', () => {
    const schedule = '6f1c2b8e-1d7a-4c59-9b0e-2f3a4b5c6d7e';
    const a = scheduledRunId(schedule, '2026-03-28T02:00:00.000Z');
    expect(a).toBe(scheduledRunId(schedule, '2026-03-28T02:00:00.000Z'));
    expect(a).not.toBe(scheduledRunId(schedule, '2026-03-29T01:00:00.000Z'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
