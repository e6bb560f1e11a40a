import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { mount } from 'hono/mount';
import { createRemoteJWKSet } from 'jose';
import { handle, listen, pathOf } from '../lib/http-server.ts';
import { loadOrCreateJson, writeJsonAtomically } from '../lib/persisted-json.ts';
import { errorBody } from './api/api-error.ts';
import { createDeviceApi, TokenCheckCounter } from './api/index.ts';
import { AccountDirectory } from './auth/accounts.ts';
import { isStoreSnapshot, MemoryStore, type StoreSnapshot } from './auth/memory-store.ts';
import { startAuthServer } from './auth/server.ts';
import { loadOrCreateAuthServerSecrets } from './auth/signing-keys.ts';
import { StatsRecorder } from './auth/stats.ts';
import type { PlatformConfig } from './config.ts';
import { FaultSwitch, handleFaultsRoute, handleStatsRoute } from './faults.ts';

/**
 * The device API's resources live under this prefix; the server root keeps the development endpoints
 * (`/dev/*`). A client whose base URL is `<origin>/v1`, like the BFF's `/api/*` proxy that refuses
 * paths leaving its base, can therefore never reach them.
 */
export const API_BASE_PATH = '/v1';

export interface RunningPlatform {
  /** The authorization server's issuer URL (discovery at `${issuer}/.well-known/openid-configuration`). */
  issuer: string;
  /** The device API's base URL, `${apiOrigin}/v1`: every resource lives below it. */
  apiUrl: string;
  /** The device API server's root, where its development endpoints (`/dev/faults`, `/dev/stats`) live. */
  apiOrigin: string;
  /** The authorization server's counters (its `GET /dev/stats`). */
  stats: StatsRecorder;
  /** The device API's access-token counters (its `GET /dev/stats`). */
  apiStats: TokenCheckCounter;
  authFaults: FaultSwitch;
  apiFaults: FaultSwitch;
  /** Stops both servers and saves the authorization server's state to the data folder. */
  close(): Promise<void>;
}

/**
 * Starts the local IoT platform: the authorization server and the device API. Keys and the
 * authorization server's state (sessions, grants, refresh tokens) are kept in `config.dataDir`, so a
 * restart signs nobody out.
 */
export async function startPlatform(config: PlatformConfig): Promise<RunningPlatform> {
  const secrets = await loadOrCreateAuthServerSecrets(config.dataDir);
  const storePath = join(config.dataDir, 'platform', 'auth-store.json');
  const snapshot = await loadOrCreateJson<StoreSnapshot>(
    storePath,
    async () => ({ version: 1, entries: [] }),
    isStoreSnapshot,
  );
  const store = new MemoryStore(snapshot);
  const stats = new StatsRecorder();
  const authFaults = new FaultSwitch();
  const apiFaults = new FaultSwitch();

  const auth = await startAuthServer({
    config,
    secrets,
    store,
    accounts: new AccountDirectory(),
    stats,
    faults: authFaults,
  });

  const apiServer = await listen(config.host, config.apiPort);
  const apiStats = new TokenCheckCounter();
  const api = createDeviceApi({
    issuer: auth.issuer,
    audience: config.apiAudience,
    getKey: createRemoteJWKSet(new URL(`${auth.issuer}/jwks`)),
    fleetSize: config.fleetSize,
    expiredTokenStyle: config.expiredTokenStyle,
    onTokenCheck: apiStats.record,
  });
  const apiListener = getRequestListener(mountUnderBasePath(api).fetch);
  handle(apiServer.server, async (req, res) => {
    const path = pathOf(req);
    // Development endpoints first: neither the fault switch nor the /v1 prefix applies to them.
    if (path === '/dev/faults' && config.demo) return handleFaultsRoute(apiFaults, req, res);
    if (path === '/dev/stats' && config.demo) return handleStatsRoute(apiStats, req, res);
    if (await apiFaults.intercept(req, res)) return;
    return apiListener(req, res);
  });
  const apiOrigin = `http://${config.host}:${apiServer.port}`;

  return {
    issuer: auth.issuer,
    apiUrl: `${apiOrigin}${API_BASE_PATH}`,
    apiOrigin,
    stats,
    apiStats,
    authFaults,
    apiFaults,
    async close() {
      await Promise.all([auth.close(), apiServer.close()]);
      await writeJsonAtomically(storePath, store.snapshot());
    },
  };
}

/** The device API app (unchanged, rooted at `/`) served under API_BASE_PATH; anything else is a 404. */
function mountUnderBasePath(api: Hono): Hono {
  const root = new Hono();
  // mount() strips the prefix, so the API sees the paths it always did (`/devices`, …).
  root.all(`${API_BASE_PATH}/*`, mount(api.fetch));
  root.notFound((c) =>
    c.json(
      errorBody(
        'not_found',
        `No route for ${c.req.method} ${c.req.path.slice(0, 200)}; the device API lives under ${API_BASE_PATH}`,
      ),
      404,
      { 'Cache-Control': 'no-store' },
    ),
  );
  root.onError((error, c) => {
    // mount() refuses paths it cannot strip safely (encoded dot segments and the like) with a 400.
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(errorBody('bad_request', error.message || 'The request path is invalid'), error.status, {
        'Cache-Control': 'no-store',
      });
    }
    console.error('device-api: unexpected error', error);
    return c.json(errorBody('internal_error', 'Something went wrong in the device API'), 500);
  });
  return root;
}
