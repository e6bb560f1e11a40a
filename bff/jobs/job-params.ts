import { z } from 'zod';

const deviceStatus = z.enum(['online', 'degraded', 'offline']);
const shortText = z.string().trim().min(1).max(64);

/** Which devices a job acts on; every field narrows the fleet, none means the whole fleet. */
export const selectionSchema = z
  .object({
    site: shortText.optional(),
    model: shortText.optional(),
    status: z.array(deviceStatus).min(1).max(3).optional(),
    ids: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'device ids are letters, digits, - and _'))
      .min(1)
      .max(1000)
      .optional(),
  })
  .strict();
export type Selection = z.infer<typeof selectionSchema>;

export const metrics = ['temperature', 'humidity', 'battery', 'signal'] as const;
export type Metric = (typeof metrics)[number];

export const firmwareRolloutParams = z
  .object({
    version: z.string().regex(/^[0-9A-Za-z._-]{1,32}$/, 'a version like 3.1.0'),
    selection: selectionSchema,
    batchSize: z.number().int().min(1).max(500).default(50),
    /** Devices in the first batch; the rollout stops there if too many of them fail. */
    canary: z.number().int().min(0).max(500).default(5),
    /** Share of failed devices (of those attempted) past which the rollout stops. */
    failureThreshold: z.number().min(0).max(1).default(0.1),
  })
  .strict();
export type FirmwareRolloutParams = z.infer<typeof firmwareRolloutParams>;

const instant = z.iso.datetime({ offset: true });
const MAX_EXPORT_RANGE_MS = 31 * 24 * 3600 * 1000;

export const telemetryExportParams = z
  .object({
    selection: selectionSchema,
    from: instant,
    to: instant,
    metrics: z
      .array(z.enum(metrics))
      .min(1)
      .max(4)
      .default([...metrics]),
  })
  .strict()
  .refine((p) => Date.parse(p.from) < Date.parse(p.to), { message: 'from must be before to', path: ['to'] })
  .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= MAX_EXPORT_RANGE_MS, {
    message: 'the range is at most 31 days',
    path: ['to'],
  });
export type TelemetryExportParams = z.infer<typeof telemetryExportParams>;

export const scheduleSchema = z
  .object({
    /** Five fields: minute hour day-of-month month day-of-week. */
    cron: z
      .string()
      .trim()
      .regex(/^\S+(\s+\S+){4}$/, 'five cron fields: minute hour day month weekday'),
    timezone: z.string().min(1).max(64),
  })
  .strict();
export type Schedule = z.infer<typeof scheduleSchema>;

export const recalibrationParams = z
  .object({
    selection: selectionSchema,
    schedule: scheduleSchema.optional(),
  })
  .strict();
export type RecalibrationParams = z.infer<typeof recalibrationParams>;

/** A run a schedule started: what the schedule's runs carry besides the selection. */
export const scheduledRunParams = z.object({
  selection: selectionSchema,
  scheduleId: z.uuid(),
  occurrence: instant,
});

export const jobTypes = ['firmware-rollout', 'telemetry-export', 'recalibration'] as const;
export type JobType = (typeof jobTypes)[number];

export const paramsSchemas = {
  'firmware-rollout': firmwareRolloutParams,
  'telemetry-export': telemetryExportParams,
  recalibration: recalibrationParams,
} as const;

/** One line naming the first bad field, for a `400 bad_request`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid parameters';
  const path = issue.path.length > 0 ? issue.path.join('.') : 'params';
  return `${path}: ${issue.message}`;
}
