import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type Provider from 'oidc-provider';
import { handle, listen, pathOf } from '../../lib/http-server.ts';
import type { PlatformConfig } from '../config.ts';
import { type FaultSwitch, handleFaultsRoute, handleStatsRoute, readBody, sendJson } from '../faults.ts';
import type { AccountDirectory } from './accounts.ts';
import { createInteractionRoutes } from './interactions.ts';
import type { MemoryStore } from './memory-store.ts';
import { STYLESHEET, STYLESHEET_PATH } from './pages.ts';
import { createAuthProvider } from './provider.ts';
import type { AuthServerSecrets } from './signing-keys.ts';
import type { StatsRecorder } from './stats.ts';

export interface AuthServerDeps {
  config: PlatformConfig;
  secrets: AuthServerSecrets;
  store: MemoryStore;
  accounts: AccountDirectory;
  stats: StatsRecorder;
  faults: FaultSwitch;
}

export interface RunningAuthServer {
  issuer: string;
  provider: Provider;
  close(): Promise<void>;
}

const TOKEN_PATH = '/token';
const REVOCATION_PATH = '/token/revocation';

/** Starts the authorization server: oidc-provider plus our login page, stylesheet and dev endpoints. */
export async function startAuthServer(deps: AuthServerDeps): Promise<RunningAuthServer> {
  const { config, stats, faults } = deps;
  const bound = await listen(config.host, config.authPort);
  const issuer = config.issuer ?? `http://${config.host}:${bound.port}`;
  const provider = createAuthProvider({ ...deps, issuer });
  stats.attach(provider);
  provider.on('server_error', (_ctx, error) => {
    console.error(JSON.stringify({ level: 'error', event: 'auth_server_error', message: error.message }));
  });

  const pages = new Hono();
  pages.get(STYLESHEET_PATH, (c) => {
    c.header('cache-control', 'public, max-age=3600');
    return c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8' });
  });
  pages.route('/', createInteractionRoutes(provider, deps.accounts));
  const pagesListener = getRequestListener(pages.fetch);
  const providerListener = provider.callback();

  handle(bound.server, async (req, res) => {
    const path = pathOf(req);
    if (path === '/dev/faults' && config.demo) return handleFaultsRoute(faults, req, res);
    if (path === '/dev/stats' && config.demo) return handleStatsRoute(stats, req, res);
    // The fault switch covers the token endpoint and its siblings (revocation, introspection).
    if (path.startsWith(TOKEN_PATH) && (await faults.intercept(req, res))) return;
    if (path === TOKEN_PATH && faults.state.mode === 'invalid_client' && (await refuseClient(req, res)))
      return;
    if (path === REVOCATION_PATH) {
      res.on('finish', () => {
        if (res.statusCode === 200) stats.countRevocation();
      });
    }
    if (path === STYLESHEET_PATH || path.startsWith('/interaction/')) return pagesListener(req, res);
    return providerListener(req, res);
  });

  /**
   * The `invalid_client` fault: token requests of the chosen grant type are refused as a rotated-away
   * secret would be. The body is read here to learn the grant type, and handed on already parsed
   * (oidc-provider then uses `req.body`) for every other request.
   */
  async function refuseClient(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let body: string;
    try {
      body = await readBody(req, 56 * 1024);
    } catch {
      sendJson(res, 413, { error: 'invalid_request', error_description: 'request body too large' });
      return true;
    }
    const grantType = new URLSearchParams(body).get('grant_type') ?? 'unknown';
    if (grantType !== faults.state.grant) {
      (req as IncomingMessage & { body?: string }).body = body;
      return false;
    }
    stats.countTokenError(grantType);
    res.writeHead(401, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'www-authenticate': `Basic realm="${issuer}", error="invalid_client"`,
    });
    res.end(JSON.stringify({ error: 'invalid_client', error_description: 'Fault switch: client refused' }));
    return true;
  }

  return { issuer, provider, close: bound.close };
}
