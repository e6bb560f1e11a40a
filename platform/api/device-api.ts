// createDeviceApi: the local stand-in for the IoT platform's device API as a Hono app. The caller
// serves app.fetch (and wraps it with the fault switch); nothing here listens on a port.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { type AccessTokenPolicy, type DeviceApiEnv, requireAccessToken } from './access-token.ts';
import { AlertBook } from './alert-book.ts';
import { registerAlertRoutes } from './alerts-routes.ts';
import { ApiError, errorBody, errorResponse } from './api-error.ts';
import { CommandLog } from './commands.ts';
import { registerCommandRoutes } from './commands-routes.ts';
import { type DeviceApiOptions, resolveDeviceApiOptions } from './device-api-options.ts';
import { registerDeviceRoutes } from './devices-routes.ts';
import { createFleet } from './fleet.ts';
import { MAX_BODY_BYTES } from './request-body.ts';
import type { RouteDeps } from './route-deps.ts';

export const READ_SCOPE = 'devices:read';
export const COMMAND_SCOPE = 'devices:command';

export function createDeviceApi(options: DeviceApiOptions): Hono {
  const resolved = resolveDeviceApiOptions(options);
  const policy: AccessTokenPolicy = {
    issuer: resolved.issuer,
    audience: resolved.audience,
    getKey: resolved.getKey,
    realm: resolved.realm,
    clockToleranceSeconds: resolved.clockToleranceSeconds,
    expiredTokenStyle: resolved.expiredTokenStyle,
    now: resolved.now,
    onTokenCheck: resolved.onTokenCheck,
  };
  const fleet = createFleet(resolved.fleetSize);
  const deps: RouteDeps = {
    fleet,
    alerts: new AlertBook(fleet),
    commands: new CommandLog({
      durationsMs: {
        reboot: resolved.rebootMs,
        recalibrate: resolved.recalibrateMs,
        'firmware-update': resolved.firmwareUpdateMs,
      },
      firmwareFailureRate: resolved.firmwareFailureRate,
    }),
    now: resolved.now,
    canRead: requireAccessToken(policy, READ_SCOPE),
    canCommand: requireAccessToken(policy, COMMAND_SCOPE),
  };

  // Protected routes see the verified token in their context; the returned app is a plain Hono so
  // callers can embed or serve it without knowing that.
  const routes = new Hono<DeviceApiEnv>();
  registerDeviceRoutes(routes, deps);
  registerCommandRoutes(routes, deps);
  registerAlertRoutes(routes, deps);

  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    // Answers carry per-user data behind a bearer token: never cache them anywhere.
    c.header('Cache-Control', 'no-store');
  });
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        c.json(errorBody('method_not_allowed', `Use ${methods.join(', ')} here`), 405, {
          Allow: methods.join(', '),
        }),
    }),
  );
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(errorBody('payload_too_large', `Bodies are limited to ${MAX_BODY_BYTES} bytes`), 413),
    }),
  );

  app.get('/health', (c) => c.json({ ok: true }));
  app.route('/', routes);

  app.notFound((c) =>
    c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path.slice(0, 200)}`), 404),
  );
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(errorBody('bad_request', error.message || 'The request is invalid'), error.status);
    }
    console.error('device-api: unexpected error', error);
    return c.json(errorBody('internal_error', 'Something went wrong in the device API'), 500);
  });

  return app;
}
