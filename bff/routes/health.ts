import { Hono } from 'hono';

export type CheckResult = 'ok' | 'off' | string;

export interface ReadinessChecks {
  /** The identity provider's metadata is loaded (sign-in and refresh can work). */
  provider: () => boolean;
  /** The coordination store answers (throws when it does not). */
  store: () => Promise<void>;
  /** The jobs database: 'ok', 'off' (jobs not configured) or why it is not ready. */
  jobs: () => CheckResult;
}

const STORE_CHECK_TIMEOUT_MS = 2000;

/**
 * `GET /healthz`: the process is alive (for a restart policy). `GET /readyz`: this instance can
 * serve users (for a load balancer): provider metadata loaded, store and jobs database reachable.
 * Both on the app port, outside `/bff` and `/api`: no session, no CSRF header, nothing secret.
 */
export function healthRoutes(checks: ReadinessChecks) {
  const app = new Hono();
  app.get('/healthz', (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ status: 'alive' });
  });
  app.get('/readyz', async (c) => {
    c.header('cache-control', 'no-store');
    const store = await Promise.race([
      checks.store().then(
        () => 'ok',
        (error: unknown) => `unreachable: ${error instanceof Error ? error.message : String(error)}`,
      ),
      new Promise<string>((resolve) =>
        setTimeout(() => resolve('unreachable: no answer in 2 s'), STORE_CHECK_TIMEOUT_MS).unref(),
      ),
    ]);
    const results = {
      provider: checks.provider() ? 'ok' : 'metadata not loaded',
      store,
      jobs: checks.jobs(),
    };
    const ready = Object.values(results).every((result) => result === 'ok' || result === 'off');
    return c.json({ status: ready ? 'ready' : 'not_ready', checks: results }, ready ? 200 : 503);
  });
  return app;
}
