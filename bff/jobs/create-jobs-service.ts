import type { AuditLog } from '../audit.ts';
import type { BffConfig, JobsConfig } from '../config.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import { resolveProviderProfile } from '../providers/index.ts';
import { IdpCircuit, ServiceAccountTokens } from '../tokens/index.ts';
import { JobsService, type JobsServiceOptions } from './jobs-service.ts';

/**
 * The jobs service as configured: its own service-account token source (client credentials of
 * `AUTOMATION_CLIENT_ID`, never a user's refresh token) with its own circuit, and the jobs database
 * from `DATABASE_URL` or embedded under the data folder.
 */
export function createJobsService(
  config: BffConfig & { jobs: JobsConfig },
  deps: {
    oidc: OidcClient;
    audit: AuditLog;
    fetch?: typeof fetch;
    overrides?: Partial<JobsServiceOptions>;
  },
): JobsService {
  const jobs = config.jobs;
  const tokens = new ServiceAccountTokens({
    oidc: deps.oidc,
    clientId: jobs.clientId,
    clientSecret: jobs.clientSecret,
    clientAuth: config.clientAuth,
    scope: jobs.scope,
    profile: resolveProviderProfile(config.providerProfile, {
      nameClaim: config.nameClaim,
      rolesClaim: config.rolesClaim,
    }),
    circuit: new IdpCircuit(),
    expiryRules: config.expiryRules,
    leewayMs: config.refreshLeewaySeconds * 1000,
    safetyMarginMs: config.refreshSafetyMarginSeconds * 1000,
    audit: deps.audit,
  });
  return new JobsService({
    database: jobs.databaseUrl ? { databaseUrl: jobs.databaseUrl } : { dataDir: config.dataDir },
    apiBaseUrl: config.apiUpstream,
    tokens,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    idpRetryBudgetMs: jobs.idpRetryBudgetSeconds * 1000,
    apiRetryBudgetMs: jobs.apiRetryBudgetSeconds * 1000,
    autoResumeSeconds: jobs.autoResumeSeconds,
    leaseSeconds: jobs.leaseSeconds,
    commandPollMs: jobs.commandPollMs,
    commandTimeoutMs: jobs.commandTimeoutSeconds * 1000,
    concurrency: jobs.concurrency,
    onError: (error) =>
      console.error(
        JSON.stringify({
          level: 'error',
          event: 'jobs_error',
          message: error instanceof Error ? error.message : String(error),
        }),
      ),
    ...deps.overrides,
  });
}
