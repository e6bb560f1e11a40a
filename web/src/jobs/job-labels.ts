import type { JobType } from '../api/job-types.ts';

// The job types in words. Kept apart from job-words.ts because the notification region (part of the
// first load) needs only these, while the rest belongs to the lazily loaded Jobs pages.

export const JOB_TYPE_LABEL: Record<JobType, string> = {
  'firmware-rollout': 'Firmware rollout',
  'telemetry-export': 'Telemetry export',
  recalibration: 'Recalibration',
};

/** The label of a type, or the type itself for one this build does not know yet. */
export const jobTypeLabel = (type: string): string => JOB_TYPE_LABEL[type as JobType] ?? type;
