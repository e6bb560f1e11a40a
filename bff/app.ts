import { Hono } from 'hono';
import { type AuditLog, createAuditLog } from './audit.ts';
import { type BffConfig, BffConfigError } from './config.ts';
import { type CoordinationStore, MemoryCoordinationStore } from './coordination/coordination-store.ts';
import { EndedSessions } from './coordination/ended-sessions.ts';
import { BffError, errorResponse } from './errors.ts';
import { csrfProtection, noStore, requestIds, securityHeaders } from './http/index.ts';
import { eventsRoute, type JobsService, type JobsServiceOptions, jobsRoute } from './jobs/index.ts';
import { LoginTransactions } from './login-transaction.ts';
import type { BffMetrics } from './metrics/index.ts';
import { OidcClient } from './oidc/oidc-client.ts';
import { expiredTokenRules, resolveProviderProfile } from './providers/index.ts';
import { apiProxyRoute } from './proxy/api-proxy.ts';
import { createUpstreamClient, type UpstreamClient } from './proxy/upstream-client.ts';
import { backchannelLogoutRoute } from './routes/backchannel-logout.ts';
import { callbackRoute } from './routes/callback.ts';
import { healthRoutes } from './routes/health.ts';
import { loginRoute } from './routes/login.ts';
import { logoutRoute } from './routes/logout.ts';
import { LogoutHintCookie } from './routes/logout-hint-cookie.ts';
import { sessionRoute } from './routes/session.ts';
import { SessionCookieCodec } from './session/index.ts';
import { staticFiles } from './static-files.ts';
import {
  createSessionLoader,
  createSessionTokens,
  type ExpiryRules,
  IdpCircuit,
  SessionRefresher,
} from './tokens/index.ts';

/** Collaborators; each has a default, tests and embedders pass their own. */
export interface BffDeps {
  /** Required when `config.cookieSecrets` is undefined (main.ts generates them in the data folder). */
  cookieSecrets?: Record<string, string>;
  oidc?: OidcClient;
  store?: CoordinationStore;
  audit?: AuditLog;
  fetch?: typeof fetch;
  expiryRules?: ExpiryRules;
  /** The identity provider's circuit breaker (tests pass one with their own clock). */
  circuit?: IdpCircuit;
  /** The connection pool to the device API (benchmarks pass a canned one). */
  upstreamClient?: UpstreamClient;
  /** Told of every refresh that runs (tests wait for background refreshes to settle). */
  observeRefresh?: (refresh: Promise<unknown>) => void;
  /** Automation jobs (server.ts makes it when AUTOMATION_CLIENT_SECRET is set; none: 503). */
  jobs?: JobsService;
  /** Prometheus metrics (server.ts serves them on METRICS_PORT); none: not collected. */
  metrics?: BffMetrics;
  /** Overrides for the jobs service server.ts makes (tests: faster polling and leases). */
  jobsTuning?: Partial<JobsServiceOptions>;
}

/** Paths a browser reaches by top-level navigation or the IdP calls: no `X-CSRF` header possible. */
const CSRF_EXEMPT = ['/bff/login', '/bff/callback', '/bff/backchannel-logout'];

export function createOidcClient(config: BffConfig, fetchImpl?: typeof fetch): OidcClient {
  return new OidcClient({
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    clientAuth: config.clientAuth,
    redirectUri: config.redirectUri,
    scopes: config.scopes,
    allowHttp: config.allowHttpIssuer,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/**
 * The Backend-for-Frontend as a Hono app: the confidential OAuth client of the browser. The SPA never
 * sees a token; sessions live sealed in `__Host-` cookies.
 */
export function createBff(config: BffConfig, deps: BffDeps = {}): Hono {
  const passwords = config.cookieSecrets ?? deps.cookieSecrets;
  if (!passwords) throw new BffConfigError('Invalid BFF configuration: COOKIE_SECRETS: required');
  const metrics = deps.metrics;
  const audit = metrics ? metrics.auditing(deps.audit ?? createAuditLog()) : (deps.audit ?? createAuditLog());
  const plainStore = deps.store ?? new MemoryCoordinationStore();
  const store = metrics ? metrics.timing(plainStore) : plainStore;
  const circuit = deps.circuit ?? new IdpCircuit();
  metrics?.watch({
    circuitState: () => circuit.state,
    ...(deps.jobs
      ? {
          jobsByStatus: async () => {
            const state = deps.jobs?.state;
            return state?.state === 'ready' ? state.runner.store.countByStatus() : {};
          },
        }
      : {}),
  });
  const oidc = deps.oidc ?? createOidcClient(config, deps.fetch);
  const sessions = new SessionCookieCodec({ passwords, maxAgeSeconds: config.sessionMaxLifetimeSeconds });
  const transactions = new LoginTransactions(passwords);
  const ended = new EndedSessions(store, config.sessionMaxLifetimeSeconds);
  const load = createSessionLoader({ sessions, ended, audit });
  const profile = resolveProviderProfile(config.providerProfile, {
    nameClaim: config.nameClaim,
    rolesClaim: config.rolesClaim,
  });
  const rules = {
    expiryRules: deps.expiryRules ?? config.expiryRules,
    absoluteLifetimeSeconds: config.sessionAbsoluteLifetimeSeconds,
  };
  const refresher = new SessionRefresher({
    oidc,
    store,
    codec: sessions,
    audit,
    profile,
    circuit,
    rules,
    leewayMs: config.refreshLeewaySeconds * 1000,
    safetyMarginMs: config.refreshSafetyMarginSeconds * 1000,
    graceMs: config.refreshGraceSeconds * 1000,
    budgetMs: config.refreshBudgetMs,
    rememberConsumedMs: config.sessionMaxLifetimeSeconds * 1000,
    ...(deps.observeRefresh ? { observeFlight: deps.observeRefresh } : {}),
  });
  const sessionTokens = createSessionTokens({ load, refresher, codec: sessions });
  const logoutHint = config.logoutIdTokenHint
    ? new LogoutHintCookie(passwords, config.sessionMaxLifetimeSeconds)
    : undefined;

  const app = new Hono();
  app.use('*', requestIds());
  app.use('*', securityHeaders({ https: config.https }));
  const csrf = csrfProtection({ appOrigin: config.appOrigin, exemptPaths: CSRF_EXEMPT });
  for (const prefix of ['/bff/*', '/api/*']) {
    app.use(prefix, noStore());
    app.use(prefix, csrf);
  }

  app.route(
    '/',
    healthRoutes({
      provider: () => {
        // Not loaded yet: ask again in the background, so readiness follows the provider.
        if (!oidc.metadataLoaded) oidc.metadata().catch(() => undefined);
        return oidc.metadataLoaded;
      },
      store: async () => {
        await store.get('readyz:probe');
      },
      jobs: () => {
        const state = deps.jobs?.state.state;
        if (state === undefined) return 'off';
        return state === 'ready' ? 'ok' : state;
      },
    }),
  );
  app.route('/bff/login', loginRoute({ oidc, transactions }));
  app.route(
    '/bff/callback',
    callbackRoute({ oidc, transactions, sessions, audit, profile, rules, logoutHint }),
  );
  app.route('/bff/session', sessionRoute(sessionTokens));
  app.route(
    '/bff/logout',
    logoutRoute({
      oidc,
      sessions,
      ended,
      audit,
      postLogoutRedirectUri: config.postLogoutRedirectUri,
      logoutHint,
    }),
  );
  app.route('/bff/backchannel-logout', backchannelLogoutRoute({ oidc, ended, store, audit }));
  const jobsDeps = { jobs: deps.jobs, sessionTokens, audit };
  app.route('/bff/jobs', jobsRoute(jobsDeps));
  app.route('/bff/events', eventsRoute(jobsDeps));
  app.all('/bff/*', (c) =>
    errorResponse(c, new BffError('not_found', 404, `No route ${c.req.method} ${c.req.path}`)),
  );
  if (metrics) {
    app.use('/api/*', async (c, next) => {
      const end = metrics.proxyDuration.startTimer();
      await next();
      const status = c.res.status;
      end({ status_class: `${Math.floor(status / 100)}xx` });
      if (status >= 500) metrics.upstreamErrors.inc({ status: String(status) });
    });
  }
  app.route(
    '/api',
    apiProxyRoute({
      upstream: config.apiUpstream,
      tokens: sessionTokens,
      rules: [...expiredTokenRules(config.apiTokenQuirks), ...profile.expiredTokenRules],
      bodyLimit: config.apiBodyLimit,
      upstreamClient: deps.upstreamClient ?? createUpstreamClient({ timeoutMs: config.apiTimeoutMs }),
    }),
  );
  app.route('/', staticFiles(config.webDist));

  app.onError((error, c) => {
    if (error instanceof BffError) return errorResponse(c, error);
    console.error(
      JSON.stringify({ level: 'error', event: 'unhandled', path: c.req.path, message: error.message }),
    );
    return errorResponse(c, new BffError('server_error', 500, 'Internal error'));
  });
  return app;
}
