import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
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
import { FaultSwitch, handleFaultsRoute, handleStatsRoute, sendJson } from './faults.ts';

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
    firmwareUpdateMs: config.firmwareUpdateMs,
    firmwareFailureRate: config.firmwareFailureRate,
    rebootMs: config.rebootMs,
    recalibrateMs: config.recalibrateMs,
    expiredTokenStyle: config.expiredTokenStyle,
    onTokenCheck: apiStats.record,
  });
  const apiListener = getRequestListener(api.fetch);
  handle(apiServer.server, async (req, res) => {
    const path = pathOf(req);
    // Development endpoints first: neither the fault switch nor the /v1 prefix applies to them.
    if (path === '/dev/faults' && config.demo) return handleFaultsRoute(apiFaults, req, res);
    if (path === '/dev/stats' && config.demo) return handleStatsRoute(apiStats, req, res);
    const url = req.url ?? '/';
    if (!url.startsWith(`${API_BASE_PATH}/`)) {
      return sendJson(
        res,
        404,
        errorBody('not_found', `No route here; the device API lives under ${API_BASE_PATH}`),
      );
    }
    if (await apiFaults.intercept(req, res)) return;
    // The API app is rooted at `/`: strip the prefix on the raw request (cheaper than a mounted
    // sub-app, which builds a second Request per call). Dot segments left after it resolve inside
    // the API app, which has no development routes.
    req.url = url.slice(API_BASE_PATH.length);
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
