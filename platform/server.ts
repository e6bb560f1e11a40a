import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { createRemoteJWKSet } from 'jose';
import { handle, listen, pathOf } from '../lib/http-server.ts';
import { loadOrCreateJson, writeJsonAtomically } from '../lib/persisted-json.ts';
import { createDeviceApi } from './api/index.ts';
import { AccountDirectory } from './auth/accounts.ts';
import { isStoreSnapshot, MemoryStore, type StoreSnapshot } from './auth/memory-store.ts';
import { startAuthServer } from './auth/server.ts';
import { loadOrCreateAuthServerSecrets } from './auth/signing-keys.ts';
import { StatsRecorder } from './auth/stats.ts';
import type { PlatformConfig } from './config.ts';
import { FaultSwitch, handleFaultsRoute } from './faults.ts';

export interface RunningPlatform {
  /** The authorization server's issuer URL (discovery at `${issuer}/.well-known/openid-configuration`). */
  issuer: string;
  /** The device API's base URL. */
  apiUrl: string;
  stats: StatsRecorder;
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
  const api = createDeviceApi({
    issuer: auth.issuer,
    audience: config.apiAudience,
    getKey: createRemoteJWKSet(new URL(`${auth.issuer}/jwks`)),
    fleetSize: config.fleetSize,
    expiredTokenStyle: config.expiredTokenStyle,
  });
  const apiListener = getRequestListener(api.fetch);
  handle(apiServer.server, async (req, res) => {
    if (pathOf(req) === '/dev/faults' && config.demo) return handleFaultsRoute(apiFaults, req, res);
    if (await apiFaults.intercept(req, res)) return;
    return apiListener(req, res);
  });

  return {
    issuer: auth.issuer,
    apiUrl: `http://${config.host}:${apiServer.port}`,
    stats,
    authFaults,
    apiFaults,
    async close() {
      await Promise.all([auth.close(), apiServer.close()]);
      await writeJsonAtomically(storePath, store.snapshot());
    },
  };
}
