import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

/**
 * Serves the built SPA: content-hashed files under /assets/ are cached for a year (immutable),
 * index.html never (a deploy must reach every open tab), and client routes fall back to index.html.
 */
export function staticFiles(webDist: string) {
  const app = new Hono();
  const indexPath = join(webDist, 'index.html');
  // Cache policy set after the file is found (serveStatic's onFound runs too late to change headers).
  app.use('*', async (c, next) => {
    await next();
    if (c.res.status !== 200 || !c.req.path.startsWith('/')) return;
    const immutable = c.req.path.startsWith('/assets/');
    c.res.headers.set('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  // Not built (tests, API-only use): skip the file lookup, and serveStatic's warning with it.
  if (existsSync(webDist)) app.use('*', serveStatic({ root: webDist }));
  app.get('*', async (c, next) => {
    // Only navigations fall back to the SPA; a missing script or image stays a 404.
    if (c.req.path.startsWith('/assets/') || !(c.req.header('accept') ?? '').includes('text/html'))
      return next();
    if (!existsSync(indexPath)) {
      return c.text(`The SPA is not built: run "npm run build" (looked for ${indexPath}).`, 503);
    }
    return serveStatic({ path: indexPath })(c, next);
  });
  return app;
}
