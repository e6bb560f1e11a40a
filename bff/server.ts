import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { handle, type ListeningServer, listen } from '../lib/http-server.ts';
import { type BffDeps, createBff, createOidcClient } from './app.ts';
import { createAuditLog } from './audit.ts';
import type { BffConfig } from './config.ts';
import { resolveCookieSecrets } from './cookie-secrets.ts';
import { DurableCoordinationStore } from './coordination/durable-store.ts';
import { createJobsService, type JobsService } from './jobs/index.ts';
import type { OidcClient } from './oidc/oidc-client.ts';

export interface RunningBff {
  url: string;
  jobs: JobsService | undefined;
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
  const audit = deps.audit ?? createAuditLog();
  const jobsConfig = config.jobs;
  // A jobs service passed in is the caller's to start and stop; the one made here is ours.
  const ownJobs =
    deps.jobs === undefined && jobsConfig !== undefined
      ? createJobsService(
          { ...config, jobs: jobsConfig },
          {
            oidc,
            audit,
            ...(deps.fetch ? { fetch: deps.fetch } : {}),
            ...(deps.jobsTuning ? { overrides: deps.jobsTuning } : {}),
          },
        )
      : undefined;
  const jobs = deps.jobs ?? ownJobs;
  // The embedded default: what protects sessions (ended sessions, consumed refresh tokens, results
  // not yet collected) survives a restart. A store passed in is the caller's.
  const ownStore = deps.store
    ? undefined
    : await DurableCoordinationStore.open(join(config.dataDir, 'bff', 'coordination'));
  const store = deps.store ?? ownStore;
  const app = createBff(config, {
    ...deps,
    cookieSecrets,
    oidc,
    audit,
    ...(store ? { store } : {}),
    ...(jobs ? { jobs } : {}),
  });
  const server = bound ?? (await listen(config.host, config.port));
  handle(server.server, getRequestListener(app.fetch));
  void warmUp(oidc, config);
  // Pages are served while the jobs database starts; the jobs routes answer 503 until it is ready.
  if (ownJobs) {
    const startedAt = Date.now();
    void ownJobs.start().then(() => {
      const state = ownJobs.state;
      if (state.state === 'ready') {
        console.log(JSON.stringify({ level: 'info', event: 'jobs_ready', ms: Date.now() - startedAt }));
      } else if (state.state === 'failed') {
        console.error(JSON.stringify({ level: 'error', event: 'jobs_unavailable', message: state.message }));
      }
    });
  }
  return {
    url: config.appUrl,
    jobs,
    async close() {
      // Running steps checkpoint first, so a restart continues them where they stopped.
      if (ownJobs) await ownJobs.stop();
      await server.close();
      await ownStore?.close();
      // Summaries of repeated audit events still counting: written now, not lost.
      if ('flush' in audit && typeof audit.flush === 'function') audit.flush();
    },
  };
}

/** Discovery in the background at start, and the warnings only the provider's metadata can tell. */
async function warmUp(oidc: OidcClient, config: BffConfig): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      await oidc.metadata();
      await warnAboutProvider(oidc, config);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  console.error(JSON.stringify({ level: 'error', event: 'discovery_failed', issuer: config.issuer }));
}

/**
 * `offline_access` from a provider that cannot revoke: its refresh tokens outlive a logout (they
 * work at the provider until they expire), which an operator should decide knowingly.
 */
export async function warnAboutProvider(
  oidc: OidcClient,
  config: Pick<BffConfig, 'scopes' | 'issuer'>,
  warn: (line: string) => void = (line) => console.warn(line),
): Promise<void> {
  if (config.scopes.split(' ').includes('offline_access') && !(await oidc.supportsRevocation())) {
    warn(
      JSON.stringify({
        level: 'warn',
        event: 'revocation_unsupported',
        issuer: config.issuer,
        message:
          'OIDC_SCOPES requests offline_access but the provider has no revocation endpoint: refresh tokens stay valid at the provider after logout until they expire. Drop offline_access if the provider issues refresh tokens without it.',
      }),
    );
  }
}
