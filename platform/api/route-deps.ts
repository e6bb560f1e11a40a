// What route handlers get from createDeviceApi, and the shared id lookups they all use.
import type { MiddlewareHandler } from 'hono';
import type { DeviceApiEnv } from './access-token.ts';
import type { AlertBook } from './alert-book.ts';
import { ApiError, notFound } from './api-error.ts';
import type { CommandLog } from './commands.ts';
import { type Device, type Fleet, isDeviceIdShaped } from './fleet.ts';

export interface RouteDeps {
  fleet: Fleet;
  alerts: AlertBook;
  commands: CommandLog;
  now: () => number;
  /** Bearer token with devices:read. */
  canRead: MiddlewareHandler<DeviceApiEnv>;
  /** Bearer token with devices:command. */
  canCommand: MiddlewareHandler<DeviceApiEnv>;
}

/** 400 invalid_id for ids this API never issues, 404 not_found for ids outside this fleet. */
export function findDevice(fleet: Fleet, id: string): Device {
  if (!isDeviceIdShaped(id)) throw new ApiError(400, 'invalid_id', 'Device ids look like dev-0001');
  const device = fleet.get(id);
  if (!device) throw notFound(`There is no device ${id}`);
  return device;
}
