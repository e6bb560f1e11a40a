import cronParser from 'cron-parser';
import type { Schedule } from './job-params.ts';

/** Why a schedule was refused, for a `400 bad_request`. */
export class ScheduleError extends Error {
  readonly code = 'invalid_schedule';
}

/**
 * The first occurrence of `schedule` strictly after `after`, in the schedule's own time zone (so
 * "06:00 every day" stays 06:00 local across daylight-saving changes).
 */
export function nextOccurrence(schedule: Schedule, after: Date): Date {
  try {
    new Intl.DateTimeFormat('en', { timeZone: schedule.timezone });
  } catch {
    throw new ScheduleError(`schedule.timezone: unknown time zone ${schedule.timezone}`);
  }
  let next: Date;
  try {
    next = cronParser
      .parseExpression(schedule.cron, { currentDate: after, tz: schedule.timezone })
      .next()
      .toDate();
  } catch (error) {
    throw new ScheduleError(`schedule.cron: ${error instanceof Error ? error.message : String(error)}`);
  }
  return next;
}
