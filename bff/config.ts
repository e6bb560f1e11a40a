import { z } from 'zod';
import { PROVIDER_PROFILE_NAMES, type ProviderProfileName } from './providers/index.ts';
import type { ExpiryRules } from './tokens/index.ts';

/** Why the BFF refused to start; the message names each bad variable. */
export class BffConfigError extends Error {
  readonly code = 'config_invalid';
}

const seconds = (fallback: number) => z.coerce.number().int().min(1).max(31_536_000).default(fallback);
const httpUrl = z.url({ protocol: /^https?$/ }).transform((v) => v.replace(/\/+$/, ''));
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => ['true', '1', 'yes'].includes(v));
const claimPath = z
  .string()
  .regex(/^[^\s.]+(\.[^\s.]+)*$/, 'must be a claim name or a dotted path such as realm_access.roles')
  .max(200);

/** `COOKIE_SECRETS=2:newest-secret,1:older-secret` — several for rotation; the highest id seals. */
const cookieSecrets = z
  .string()
  .transform((raw, ctx) => {
    const passwords: Record<string, string> = {};
    for (const entry of raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const colon = entry.indexOf(':');
      const id = entry.slice(0, colon);
      const secret = entry.slice(colon + 1);
      if (colon < 1 || !/^[1-9][0-9]{0,5}$/.test(id)) {
        ctx.addIssue({ code: 'custom', message: 'each entry must be <positive id>:<secret>' });
        return z.NEVER;
      }
      if (secret.length < 32) {
        ctx.addIssue({ code: 'custom', message: `secret ${id} must be at least 32 characters` });
        return z.NEVER;
      }
      passwords[id] = secret;
    }
    if (Object.keys(passwords).length === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs at least one <id>:<secret>' });
      return z.NEVER;
    }
    return passwords;
  })
  .optional();

const bffEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('localhost'),
  APP_URL: httpUrl.default('http://localhost:3000'),
  OIDC_ISSUER: httpUrl.default('http://127.0.0.1:4000'),
  OIDC_CLIENT_ID: z.string().min(1).default('iot-bff'),
  OIDC_CLIENT_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .default('dev-only-bff-secret-change-me'),
  /** Unset: the first method in the provider's discovery that we support. */
  OIDC_CLIENT_AUTH: z.enum(['client_secret_basic', 'client_secret_post']).optional(),
  /** The provider's quirks (claim locations, refresh errors, expired-token answers). */
  OIDC_PROVIDER_PROFILE: z
    .enum(PROVIDER_PROFILE_NAMES as [ProviderProfileName, ...ProviderProfileName[]])
    .default('standard'),
  /** Where the user's name and roles are: a claim name or a dotted path (`realm_access.roles`). */
  OIDC_NAME_CLAIM: claimPath.optional(),
  OIDC_ROLES_CLAIM: claimPath.optional(),
  /** Send the ID token as `id_token_hint` at RP-initiated logout (for providers that require it). */
  OIDC_LOGOUT_ID_TOKEN_HINT: flag.default(false),
  OIDC_SCOPES: z
    .string()
    .regex(/(^|\s)openid(\s|$)/, 'must include openid')
    .default('openid profile offline_access devices:read devices:command jobs:run'),
  /** Plain-http issuers are accepted for loopback hosts only, unless this is set (development only). */
  OIDC_ALLOW_HTTP: flag.optional(),
  OIDC_POST_LOGOUT_REDIRECT_URI: httpUrl.optional(),
  API_UPSTREAM: httpUrl.default('http://127.0.0.1:4100/v1'),
  COOKIE_SECRETS: cookieSecrets,
  REFRESH_LEEWAY_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Inside the leeway a refresh runs in the background; only a token this close to expiry waits for it. */
  REFRESH_SAFETY_MARGIN_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  /** Longest a BFF session can live (bounds how long ended sessions are remembered). */
  SESSION_MAX_LIFETIME: seconds(43_200),
  /** The identity provider's refresh-token absolute lifetime, if known: the session ends then. */
  SESSION_ABSOLUTE_LIFETIME: z.coerce.number().int().min(60).max(31_536_000).optional(),
  /** How long a refresh result is kept for requests still carrying the previous cookie. */
  REFRESH_GRACE_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  /** Time a request may spend refreshing (retries included) before it is answered anyway. */
  REFRESH_BUDGET_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Validity sources after expires_in: `scope=seconds` rules, provider and consumer defaults. */
  TOKEN_SCOPE_LIFETIMES: z
    .string()
    .regex(
      /^(\s*[^\s=,]+=(\d+|infinite)\s*)(,\s*[^\s=,]+=(\d+|infinite)\s*)*$/,
      'must look like scope=seconds,…',
    )
    .optional(),
  TOKEN_PROVIDER_DEFAULT_LIFETIME: z.coerce.number().int().min(1).optional(),
  TOKEN_CONSUMER_DEFAULT_LIFETIME: seconds(300),
  /** Named provider quirks for spotting an expired token besides RFC 6750's 401 invalid_token. */
  API_TOKEN_QUIRKS: z
    .string()
    .regex(/^(facebook)?(,facebook)*$/, 'known quirks: facebook')
    .default('facebook'),
  API_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  API_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024),
  DATA_DIR: z.string().min(1).default('.data'),
  WEB_DIST: z.string().min(1).default('dist/web'),
  /** Jobs on this PostgreSQL; unset: an embedded one (PGlite) under DATA_DIR/jobs. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  AUTOMATION_CLIENT_ID: z.string().min(1).default('iot-automation'),
  /** The service account's secret; automation jobs are off without it. */
  AUTOMATION_CLIENT_SECRET: z.string().min(1).optional(),
  /** Turns automation jobs off even when the secret is set (`npm start` sets it). */
  JOBS_ENABLED: flag.default(true),
  AUTOMATION_SCOPE: z.string().min(1).default('devices:read devices:command jobs:run'),
  JOBS_IDP_RETRY_BUDGET_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  JOBS_API_RETRY_BUDGET_SECONDS: z.coerce.number().min(0).max(3600).default(300),
  JOBS_AUTO_RESUME_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  JOBS_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(120),
  JOBS_COMMAND_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  JOBS_COMMAND_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(16),
});

export interface BffConfig {
  port: number;
  host: string;
  appUrl: string;
  appOrigin: string;
  /** True when the app is served over https (HSTS on). Cookies are always Secure + __Host-. */
  https: boolean;
  issuer: string;
  allowHttpIssuer: boolean;
  clientId: string;
  clientSecret: string;
  /** Undefined: follow the provider's discovery. */
  clientAuth: 'client_secret_basic' | 'client_secret_post' | undefined;
  providerProfile: ProviderProfileName;
  nameClaim: string | undefined;
  rolesClaim: string | undefined;
  logoutIdTokenHint: boolean;
  scopes: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  apiUpstream: string;
  /** Undefined: generate on first start and keep in the data folder. */
  cookieSecrets: Record<string, string> | undefined;
  refreshLeewaySeconds: number;
  refreshSafetyMarginSeconds: number;
  sessionMaxLifetimeSeconds: number;
  sessionAbsoluteLifetimeSeconds: number | undefined;
  refreshGraceSeconds: number;
  refreshBudgetMs: number;
  expiryRules: ExpiryRules;
  apiTokenQuirks: string[];
  apiTimeoutMs: number;
  apiBodyLimit: number;
  dataDir: string;
  webDist: string;
  /** Undefined: automation jobs are off (no AUTOMATION_CLIENT_SECRET). */
  jobs: JobsConfig | undefined;
}

export interface JobsConfig {
  databaseUrl: string | undefined;
  clientId: string;
  clientSecret: string;
  scope: string;
  idpRetryBudgetSeconds: number;
  apiRetryBudgetSeconds: number;
  autoResumeSeconds: number;
  leaseSeconds: number;
  commandPollMs: number;
  commandTimeoutSeconds: number;
  concurrency: number;
}

function parseScopeLifetimes(raw: string | undefined): Record<string, number> {
  const rules: Record<string, number> = {};
  for (const entry of (raw ?? '').split(',').filter((e) => e.trim())) {
    const [scope = '', seconds = ''] = entry.trim().split('=');
    rules[scope] = seconds === 'infinite' ? Number.POSITIVE_INFINITY : Number(seconds);
  }
  return rules;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Parses the BFF's environment once, at startup; throws BffConfigError naming each bad variable. */
export function loadBffConfig(env: Record<string, string | undefined>): BffConfig {
  const parsed = bffEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new BffConfigError(`Invalid BFF configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const issuerUrl = new URL(e.OIDC_ISSUER);
  const allowHttpIssuer = e.OIDC_ALLOW_HTTP ?? LOOPBACK.has(issuerUrl.hostname);
  if (issuerUrl.protocol === 'http:' && !allowHttpIssuer) {
    throw new BffConfigError(
      'Invalid BFF configuration: OIDC_ISSUER: must be https (set OIDC_ALLOW_HTTP=true for development only)',
    );
  }
  const appUrl = new URL(e.APP_URL);
  return {
    port: e.PORT,
    host: e.HOST,
    appUrl: e.APP_URL,
    appOrigin: appUrl.origin,
    https: appUrl.protocol === 'https:',
    issuer: e.OIDC_ISSUER,
    allowHttpIssuer,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET,
    clientAuth: e.OIDC_CLIENT_AUTH,
    providerProfile: e.OIDC_PROVIDER_PROFILE,
    nameClaim: e.OIDC_NAME_CLAIM,
    rolesClaim: e.OIDC_ROLES_CLAIM,
    logoutIdTokenHint: e.OIDC_LOGOUT_ID_TOKEN_HINT,
    scopes: e.OIDC_SCOPES,
    redirectUri: `${e.APP_URL}/bff/callback`,
    postLogoutRedirectUri: e.OIDC_POST_LOGOUT_REDIRECT_URI ?? `${e.APP_URL}/`,
    apiUpstream: e.API_UPSTREAM,
    cookieSecrets: e.COOKIE_SECRETS,
    refreshLeewaySeconds: e.REFRESH_LEEWAY_SECONDS,
    refreshSafetyMarginSeconds: Math.min(e.REFRESH_SAFETY_MARGIN_SECONDS, e.REFRESH_LEEWAY_SECONDS),
    sessionMaxLifetimeSeconds: e.SESSION_MAX_LIFETIME,
    sessionAbsoluteLifetimeSeconds: e.SESSION_ABSOLUTE_LIFETIME,
    refreshGraceSeconds: e.REFRESH_GRACE_SECONDS,
    refreshBudgetMs: e.REFRESH_BUDGET_MS,
    expiryRules: {
      scopeLifetimes: parseScopeLifetimes(e.TOKEN_SCOPE_LIFETIMES),
      providerDefaultSeconds: e.TOKEN_PROVIDER_DEFAULT_LIFETIME,
      consumerDefaultSeconds: e.TOKEN_CONSUMER_DEFAULT_LIFETIME,
    },
    apiTokenQuirks: e.API_TOKEN_QUIRKS.split(',').filter(Boolean),
    apiTimeoutMs: e.API_TIMEOUT_MS,
    apiBodyLimit: e.API_BODY_LIMIT,
    dataDir: e.DATA_DIR,
    webDist: e.WEB_DIST,
    jobs:
      e.JOBS_ENABLED && e.AUTOMATION_CLIENT_SECRET
        ? {
            databaseUrl: e.DATABASE_URL,
            clientId: e.AUTOMATION_CLIENT_ID,
            clientSecret: e.AUTOMATION_CLIENT_SECRET,
            scope: e.AUTOMATION_SCOPE,
            idpRetryBudgetSeconds: e.JOBS_IDP_RETRY_BUDGET_SECONDS,
            apiRetryBudgetSeconds: e.JOBS_API_RETRY_BUDGET_SECONDS,
            autoResumeSeconds: e.JOBS_AUTO_RESUME_SECONDS,
            leaseSeconds: e.JOBS_LEASE_SECONDS,
            commandPollMs: e.JOBS_COMMAND_POLL_MS,
            commandTimeoutSeconds: e.JOBS_COMMAND_TIMEOUT_SECONDS,
            concurrency: e.JOBS_CONCURRENCY,
          }
        : undefined,
  };
}
