import { getRequestListener } from '@hono/node-server';
import { handle, type ListeningServer, listen } from '../lib/http-server.ts';
import { type BffDeps, createBff, createOidcClient } from './app.ts';
import type { BffConfig } from './config.ts';
import { resolveCookieSecrets } from './cookie-secrets.ts';

export interface RunningBff {
  url: string;
  close(): Promise<void>;
}

/**
 * Runs the BFF on a Node HTTP server. Cookie secrets not configured are generated in the data folder.
 * Discovery starts at once and is retried in the background while the authorization server starts;
 * requests that need it meanwhile answer 503 idp_unavailable.
 */
export async function startBff(
  config: BffConfig,
  deps: BffDeps = {},
  bound?: ListeningServer,
): Promise<RunningBff> {
  const cookieSecrets =
    deps.cookieSecrets ?? (await resolveCookieSecrets(config.cookieSecrets, config.dataDir));
  const oidc = deps.oidc ?? createOidcClient(config, deps.fetch);
  const app = createBff(config, { ...deps, cookieSecrets, oidc });
  const server = bound ?? (await listen(config.host, config.port));
  handle(server.server, getRequestListener(app.fetch));
  void warmUp(() => oidc.metadata(), config.issuer);
  return { url: config.appUrl, close: server.close };
}

async function warmUp(discover: () => Promise<unknown>, issuer: string): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      await discover();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  console.error(JSON.stringify({ level: 'error', event: 'discovery_failed', issuer }));
}
