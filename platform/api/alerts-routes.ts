// GET /alerts, GET /alerts/:id and POST /alerts/:id/ack.
import type { Hono } from 'hono';
import { z } from 'zod';
import type { DeviceApiEnv } from './access-token.ts';
import type { AlertWithAck } from './alert-book.ts';
import { viewAlert } from './alert-view.ts';
import { deviceIdOfAlertId, isActive, SEVERITIES } from './alerts.ts';
import { ApiError, badQuery, notFound } from './api-error.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from './devices-routes.ts';
import { isDeviceIdShaped, SITES } from './fleet.ts';
import { QueryParams } from './query-params.ts';
import { readJsonBody } from './request-body.ts';
import { findDevice, type RouteDeps } from './route-deps.ts';

const ALERT_STATUSES = ['open', 'acknowledged', 'all'] as const;
const MAX_OFFSET = 1_000_000;

// Nothing to say when acknowledging yet; the body may be absent or `{}`, anything else is refused.
const AckBody = z.strictObject({});

export function registerAlertRoutes(app: Hono<DeviceApiEnv>, deps: RouteDeps): void {
  const { fleet, alerts } = deps;

  function findAlert(id: string, now: number): AlertWithAck {
    if (deviceIdOfAlertId(id) === undefined) {
      throw new ApiError(400, 'invalid_id', 'Alert ids look like alr-dev-0001-temperature_high-29000000');
    }
    const found = alerts.get(id, now);
    if (!found) throw notFound(`There is no alert ${id} (or it is older than the alert history)`);
    return found;
  }

  app.get('/alerts', deps.canRead, (c) => {
    const query = new QueryParams(c.req.url);
    const status = query.oneOf('status', ALERT_STATUSES) ?? 'all';
    const severities = query.listOf('severity', SEVERITIES);
    const deviceId = query.string('deviceId', 20);
    const sites = query.listOf(
      'site',
      SITES.map((s) => s.id),
    );
    const active = query.boolean('active');
    const limit = query.integer('limit', { min: 1, max: MAX_LIMIT }) ?? DEFAULT_LIMIT;
    const offset = query.integer('offset', { min: 0, max: MAX_OFFSET }) ?? 0;
    if (deviceId !== undefined) {
      if (!isDeviceIdShaped(deviceId)) throw badQuery('deviceId must look like dev-0001');
      findDevice(fleet, deviceId);
    }

    const now = deps.now();
    const selected = alerts
      .list(now)
      .filter(
        ({ alert, acknowledgement }) =>
          (status === 'all' || (status === 'acknowledged') === (acknowledgement !== undefined)) &&
          (!severities || severities.includes(alert.severity)) &&
          (deviceId === undefined || alert.device.id === deviceId) &&
          (!sites || sites.includes(alert.device.site.id)) &&
          (active === undefined || isActive(alert, now) === active),
      );
    return c.json({
      items: selected.slice(offset, offset + limit).map((a) => viewAlert(a, now)),
      total: selected.length,
      limit,
      offset,
    });
  });

  app.get('/alerts/:id', deps.canRead, (c) => {
    const now = deps.now();
    return c.json(viewAlert(findAlert(c.req.param('id'), now), now));
  });

  app.post('/alerts/:id/ack', deps.canCommand, async (c) => {
    const now = deps.now();
    const { alert } = findAlert(c.req.param('id'), now);
    await readJsonBody(c, AckBody, { optional: true });
    return c.json(viewAlert(alerts.acknowledge(alert, c.get('token').sub, now), now));
  });
}
