import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { proxy } from 'hono/proxy';
import { MemoryCoordinationStore } from '../bff/coordination/coordination-store.ts';
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

  // The baseline: forwards to the same upstream with one bearer token the parent hands over.
  let bareToken = '';
  const upstream = `${stack.platform.apiUrl}/`;
  const bareApp = new Hono().get('/api/*', (c) =>
    proxy(new URL(c.req.path.slice('/api/'.length), upstream), {
      headers: { accept: c.req.header('accept') ?? '*/*', authorization: `Bearer ${bareToken}` },
    }),
  );
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
      await Promise.allSettled([bare.close(), fresh.close()]);
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
  });
}

main().catch(async (error: unknown) => {
  await send({ type: 'failed', message: (error as Error).stack ?? String(error) }).catch(() => {});
  process.exit(1);
});
