import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { MemoryCoordinationStore } from '../bff/coordination/coordination-store.ts';
import { createUpstreamClient } from '../bff/proxy/upstream-client.ts';
import { startBff } from '../bff/server.ts';
import { startTestStack } from '../bff/test-support.ts';
import { handle, listen } from '../lib/http-server.ts';

/**
 * Child process of the bench: the platform, the BFF, a bare Hono proxy and a second, fresh BFF, all on
 * ephemeral loopback ports. Runs apart from the load generator so both get a core of their own.
 * Talks to the parent over the IPC channel: a `ready` message, then answers to `ServersRequest`s.
 */

export interface ServersOptions {
  platformEnv?: Record<string, string>;
  bffEnv?: Record<string, string>;
}

export interface ServersReady {
  type: 'ready';
  appUrl: string;
  /** Same configuration and cookie secrets as `appUrl`, but its own empty coordination store. */
  freshBffUrl: string;
  bareProxyUrl: string;
  issuer: string;
  apiUrl: string;
  cookieSecrets: Record<string, string>;
  accessTokenTtlSeconds: number;
  refreshLeewaySeconds: number;
  /**
   * Inside the leeway, a token this close to expiry makes requests wait for the refresh. Undefined
   * when the BFF has no such setting.
   */
  refreshSafetyMarginSeconds: number | undefined;
  refreshBudgetMs: number;
}

export type ServersRequest =
  | { id: number; op: 'setBareToken'; token: string }
  | { id: number; op: 'stats' }
  | { id: number; op: 'close' };

export interface ServersStats {
  storeEntries: number;
  freshStoreEntries: number;
  audit: Record<string, number>;
  /** CPU time this process has used (user + system), to tell whether the servers were saturated. */
  cpuMs: number;
}

export type ServersReply = { type: 'reply'; id: number; result?: unknown; error?: string };

const numberOrUndefined = (value: unknown) => (typeof value === 'number' ? value : undefined);

const send = (message: ServersReady | ServersReply | { type: 'failed'; message: string }) =>
  new Promise<void>((resolve) => {
    if (!process.send) throw new Error('bench/servers.ts must be started with an IPC channel (fork)');
    process.send(message, () => resolve());
  });

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServersOptions;
  // Handed in so the bench can count its entries (the BFF keeps it private otherwise).
  const store = new MemoryCoordinationStore();
  const stack = await startTestStack({
    ...(options.platformEnv ? { platformEnv: options.platformEnv } : {}),
    ...(options.bffEnv ? { bffEnv: options.bffEnv } : {}),
    deps: { store },
  });

  // The baseline: the BFF's own upstream client (same undici pool, same options), doing only what any
  // proxy must: map the path, add one bearer token the parent hands over, stream the answer back. The
  // BFF/bare ratio then measures the BFF's own work (session cookie, CSRF, refresh check, header
  // filtering), not a difference between HTTP clients.
  let bareToken = '';
  const upstream = `${stack.platform.apiUrl}/`;
  const bareClient = createUpstreamClient({ timeoutMs: stack.config.apiTimeoutMs });
  const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding']);
  const bareApp = new Hono().get('/api/*', async (c) => {
    const answer = await bareClient.send({
      url: new URL(c.req.path.slice('/api/'.length), upstream),
      method: 'GET',
      headers: { accept: c.req.header('accept') ?? '*/*', authorization: `Bearer ${bareToken}` },
      body: undefined,
    });
    for (const [name, value] of answer.headers) {
      if (!hopByHop.has(name)) c.header(name, value, { append: true });
    }
    return c.body(answer.body as ReadableStream, answer.status as ContentfulStatusCode);
  });
  const bare = await listen('127.0.0.1', 0);
  handle(bare.server, getRequestListener(bareApp.fetch));

  // Never saw a sign-in: if it serves a session, that session needed no server-side state.
  const freshStore = new MemoryCoordinationStore();
  const freshBound = await listen('127.0.0.1', 0);
  const fresh = await startBff(
    stack.config,
    { cookieSecrets: stack.cookieSecrets, store: freshStore, audit: { record: () => {} } },
    freshBound,
  );

  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      await Promise.allSettled([bare.close(), fresh.close(), bareClient.close()]);
      await stack.dispose();
    })();
    return closing;
  };
  // An orphaned child must not outlive the bench (parent crashed or was killed).
  process.on('disconnect', () => {
    void shutdown().finally(() => process.exit(0));
  });

  process.on('message', (raw: ServersRequest) => {
    void (async () => {
      try {
        if (raw.op === 'setBareToken') {
          bareToken = raw.token;
          await send({ type: 'reply', id: raw.id, result: true });
        } else if (raw.op === 'stats') {
          const audit: Record<string, number> = {};
          for (const line of stack.audit) audit[String(line.event)] = (audit[String(line.event)] ?? 0) + 1;
          const { user, system } = process.cpuUsage();
          const result: ServersStats = {
            storeEntries: store.size,
            freshStoreEntries: freshStore.size,
            audit,
            cpuMs: (user + system) / 1000,
          };
          await send({ type: 'reply', id: raw.id, result });
        } else if (raw.op === 'close') {
          await shutdown();
          await send({ type: 'reply', id: raw.id, result: true });
          process.exit(0);
        }
      } catch (error) {
        await send({ type: 'reply', id: raw.id, error: (error as Error).message });
      }
    })();
  });

  await send({
    type: 'ready',
    appUrl: stack.appUrl,
    freshBffUrl: `http://127.0.0.1:${freshBound.port}`,
    bareProxyUrl: `http://127.0.0.1:${bare.port}`,
    issuer: stack.platform.issuer,
    apiUrl: stack.platform.apiUrl,
    cookieSecrets: stack.cookieSecrets,
    accessTokenTtlSeconds: stack.platform.config.accessTokenTtl,
    refreshLeewaySeconds: stack.config.refreshLeewaySeconds,
    // Read by name: the setting is newer than the bench and may be absent from a BFF under test.
    refreshSafetyMarginSeconds: numberOrUndefined(
      (stack.config as unknown as Record<string, unknown>).refreshSafetyMarginSeconds,
    ),
    refreshBudgetMs: stack.config.refreshBudgetMs,
  });
}

main().catch(async (error: unknown) => {
  await send({ type: 'failed', message: (error as Error).stack ?? String(error) }).catch(() => {});
  process.exit(1);
});
