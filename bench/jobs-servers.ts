import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBffConfig } from '../bff/config.ts';
import { startBff } from '../bff/server.ts';
import { startTestPlatform } from '../platform/test-support.ts';

/**
 * Child process of the jobs benches: either the platform (authorization server and device API) or the
 * BFF with automation jobs, each in a process of its own, as they would run in production (the
 * platform is another service). Talks to the parent over IPC: a `ready` message, then `close`.
 */

export type JobsServerOptions =
  | { role: 'platform'; env: Record<string, string> }
  | { role: 'bff'; env: Record<string, string> };

export interface PlatformReady {
  type: 'ready';
  role: 'platform';
  issuer: string;
  apiUrl: string;
  /** The device API server's root (its `GET /dev/stats`: requests accepted). */
  apiOrigin: string;
  bffClientSecret: string;
  automationClientSecret: string;
  accessTokenTtlSeconds: number;
}

export interface BffReady {
  type: 'ready';
  role: 'bff';
  appUrl: string;
  /** The jobs service's state once its start finished (`ready`, or why not). */
  jobsState: string;
  jobsStartMs: number;
  refreshLeewaySeconds: number;
  refreshSafetyMarginSeconds: number;
}

export type JobsServerReady = PlatformReady | BffReady;

export type JobsServerRequest = { id: number; op: 'audit' } | { id: number; op: 'close' };
export type JobsServerReply = { type: 'reply'; id: number; result?: unknown; error?: string };

const send = (message: JobsServerReady | JobsServerReply | { type: 'failed'; message: string }) =>
  new Promise<void>((resolve) => {
    if (!process.send) throw new Error('bench/jobs-servers.ts must be started with an IPC channel (fork)');
    process.send(message, () => resolve());
  });

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as JobsServerOptions;
  let close: () => Promise<void>;
  // BFF audit events by name (the BFF's own log would aggregate them and write them to stdout).
  const audit: Record<string, number> = {};
  if (options.role === 'platform') {
    const platform = await startTestPlatform(options.env);
    close = () => platform.dispose();
    await send({
      type: 'ready',
      role: 'platform',
      issuer: platform.issuer,
      apiUrl: platform.apiUrl,
      apiOrigin: platform.apiOrigin,
      bffClientSecret: platform.config.bffClient.secret,
      automationClientSecret: platform.config.automationClient.secret,
      accessTokenTtlSeconds: platform.config.accessTokenTtl,
    });
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'iot-bench-bff-'));
    const config = loadBffConfig({
      DATA_DIR: dataDir,
      WEB_DIST: join(dataDir, 'no-spa-built'),
      HOST: '127.0.0.1',
      ...options.env,
    });
    const bff = await startBff(config, {
      audit: {
        record: (event) => {
          audit[event] = (audit[event] ?? 0) + 1;
        },
      },
    });
    const started = performance.now();
    await bff.jobs?.start();
    close = async () => {
      await bff.close();
      await rm(dataDir, { recursive: true, force: true });
    };
    await send({
      type: 'ready',
      role: 'bff',
      appUrl: config.appUrl,
      jobsState: bff.jobs?.state.state ?? 'off',
      jobsStartMs: performance.now() - started,
      refreshLeewaySeconds: config.refreshLeewaySeconds,
      refreshSafetyMarginSeconds: config.refreshSafetyMarginSeconds,
    });
  }

  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= close();
    return closing;
  };
  // An orphaned child must not outlive the bench.
  process.on('disconnect', () => {
    void shutdown().finally(() => process.exit(0));
  });
  process.on('message', (raw: JobsServerRequest) => {
    void (async () => {
      try {
        if (raw.op === 'audit') await send({ type: 'reply', id: raw.id, result: { ...audit } });
        else if (raw.op === 'close') {
          await shutdown();
          await send({ type: 'reply', id: raw.id, result: true });
          process.exit(0);
        }
      } catch (error) {
        await send({ type: 'reply', id: raw.id, error: (error as Error).message });
      }
    })();
  });
}

main().catch(async (error: unknown) => {
  await send({ type: 'failed', message: (error as Error).stack ?? String(error) }).catch(() => {});
  process.exit(1);
});
