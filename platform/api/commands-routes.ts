// POST /devices/:id/commands issues a command; GET lists the device's recent commands.
import type { Hono } from 'hono';
import { z } from 'zod';
import type { DeviceApiEnv } from './access-token.ts';
import { ApiError } from './api-error.ts';
import {
  COMMAND_TYPES,
  type CommandAttribution,
  type CommandRequest,
  FIRMWARE_VERSION_PATTERN,
  viewCommand,
} from './commands.ts';
import { readJsonBody } from './request-body.ts';
import { findDevice, type RouteDeps } from './route-deps.ts';

// One flat schema rather than a union, so a bad body gets a message about the field that is wrong.
const CommandBody = z
  .strictObject({
    type: z.enum(COMMAND_TYPES, { error: `type must be one of ${COMMAND_TYPES.join(', ')}` }),
    version: z
      .string({ error: 'version must be a string' })
      .regex(FIRMWARE_VERSION_PATTERN, { error: 'version must be 1-32 of 0-9 A-Z a-z . - _' })
      .optional(),
  })
  .check((ctx) => {
    const { type, version } = ctx.value;
    if (type === 'firmware-update' && version === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: ['version'],
        message: 'version is required for firmware-update',
      });
    }
    if (type !== 'firmware-update' && version !== undefined) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: ['version'],
        message: `version is only for firmware-update, not ${type}`,
      });
    }
  })
  // Runs only when the checks passed, so a firmware update has its version here.
  .transform(
    ({ type, version }): CommandRequest =>
      type === 'firmware-update' ? { type, version: version ?? '' } : { type },
  );

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT = /^[\x21-\x7e]{1,200}$/;

/**
 * `X-Job-Id` and `X-Initiated-By`: automation on the service account names the job and the person
 * behind each command, so a command can be traced back to who asked for it. Both or neither.
 */
function readAttribution(jobId: string | undefined, initiatedBy: string | undefined): CommandAttribution {
  if (jobId === undefined && initiatedBy === undefined) return {};
  if (jobId === undefined || !JOB_ID.test(jobId)) {
    throw new ApiError(
      400,
      'invalid_header',
      'X-Job-Id must be 1-64 letters, digits, - or _, with X-Initiated-By',
    );
  }
  if (initiatedBy === undefined || !SUBJECT.test(initiatedBy)) {
    throw new ApiError(400, 'invalid_header', 'X-Initiated-By must be a subject of 1-200 visible characters');
  }
  return { jobId, initiatedBy };
}

export function registerCommandRoutes(app: Hono<DeviceApiEnv>, deps: RouteDeps): void {
  const { fleet, commands } = deps;

  app.get('/devices/:id/commands', deps.canRead, (c) => {
    const device = findDevice(fleet, c.req.param('id'));
    const now = deps.now();
    return c.json({ items: commands.forDevice(device.id).map((r) => viewCommand(r, device, now)) });
  });

  app.post('/devices/:id/commands', deps.canCommand, async (c) => {
    const device = findDevice(fleet, c.req.param('id'));
    const attribution = readAttribution(c.req.header('x-job-id'), c.req.header('x-initiated-by'));
    const request = await readJsonBody(c, CommandBody);
    const now = deps.now();
    const record = commands.issue(device, request, c.get('token').sub, now, attribution);
    return c.json(viewCommand(record, device, now), 202);
  });
}
