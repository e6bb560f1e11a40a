// POST /devices/:id/commands issues a command; GET lists the device's recent commands.
import type { Hono } from 'hono';
import { z } from 'zod';
import type { DeviceApiEnv } from './access-token.ts';
import { COMMAND_TYPES, viewCommand } from './commands.ts';
import { readJsonBody } from './request-body.ts';
import { findDevice, type RouteDeps } from './route-deps.ts';

const CommandBody = z.strictObject({
  type: z.enum(COMMAND_TYPES, { error: `type must be one of ${COMMAND_TYPES.join(', ')}` }),
});

export function registerCommandRoutes(app: Hono<DeviceApiEnv>, deps: RouteDeps): void {
  const { fleet, commands } = deps;

  app.get('/devices/:id/commands', deps.canRead, (c) => {
    const device = findDevice(fleet, c.req.param('id'));
    const now = deps.now();
    return c.json({ items: commands.forDevice(device.id).map((r) => viewCommand(r, device, now)) });
  });

  app.post('/devices/:id/commands', deps.canCommand, async (c) => {
    const device = findDevice(fleet, c.req.param('id'));
    const { type } = await readJsonBody(c, CommandBody);
    const now = deps.now();
    const record = commands.issue(device, type, c.get('token').sub, now);
    return c.json(viewCommand(record, device, now), 202);
  });
}
