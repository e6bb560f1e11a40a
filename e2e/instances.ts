// The three app instances the end-to-end tests run against, each started as `npm start` starts it
// (platform + BFF in one process, serving the built SPA from dist/web) with its own data folder.

export interface AppInstance {
  /** Playwright project that runs against this instance. */
  project: string;
  /** The app's origin (BFF + SPA); Chromium treats http://localhost as secure, so __Host- cookies work. */
  appUrl: string;
  /** The platform's authorization server (a different host than the app, like production). */
  authUrl: string;
  /** The platform's device API (its resources live under /v1; /dev/* at the root). */
  apiUrl: string;
  /** Data folder (generated keys, saved state): wiped before each run so runs start clean. */
  dataDir: string;
  env: Record<string, string>;
}

function instance(
  project: string,
  ports: { app: number; auth: number; api: number },
  extraEnv: Record<string, string> = {},
): AppInstance {
  const appUrl = `http://localhost:${ports.app}`;
  const dataDir = `test-results/e2e-data/${project}`;
  return {
    project,
    appUrl,
    authUrl: `http://127.0.0.1:${ports.auth}`,
    apiUrl: `http://127.0.0.1:${ports.api}/v1`,
    dataDir,
    env: {
      PORT: String(ports.app),
      APP_URL: appUrl,
      AUTH_PORT: String(ports.auth),
      API_PORT: String(ports.api),
      DATA_DIR: dataDir,
      ...extraEnv,
    },
  };
}

/** The platform's default lifetimes (15-minute access tokens, 2-hour sessions). */
export const defaultApp = instance('default-lifetimes', { app: 3000, auth: 4000, api: 4100 });

/**
 * Short lifetimes, so that a session's whole life fits in a test: 20 s access tokens, refresh tokens
 * idle for at most 60 s and living at most 180 s, a 30-minute single-sign-on session at the
 * authorization server (silent re-authentication works). The BFF refreshes 5 s before expiry (its
 * default 60 s leeway exceeds a 20 s token); `scripts/start.ts` hands it the 180 s absolute lifetime.
 */
export const shortApp = instance(
  'short-lifetimes',
  { app: 3100, auth: 4200, api: 4300 },
  {
    AUTH_ACCESS_TOKEN_TTL: '20',
    AUTH_REFRESH_TOKEN_IDLE_TTL: '60',
    AUTH_REFRESH_TOKEN_ABSOLUTE_TTL: '180',
    AUTH_SESSION_TTL: '1800',
    REFRESH_LEEWAY_SECONDS: '5',
  },
);

export const SHORT_LIFETIMES = { accessToken: 20, refreshIdle: 60, refreshAbsolute: 180 } as const;

/**
 * For the automation jobs (`jobs.spec.ts`), so that a rollout fits in seconds and a refused service
 * account shows while it runs: firmware updates take 1 s per device and never fail (outcomes are
 * the same every run), the BFF looks at a pending command every 250 ms, and access tokens (the
 * service account's too: the platform has one lifetime for all) live 8 s. The service account renews
 * its token 4 s before expiry (the leeway is capped at half the lifetime) and waits for a new one
 * only in the last 2 s, so a credentials fault pauses a running job at most ~6 s after it is switched
 * on (with the shortApp's 20 s tokens it would take up to 17.5 s, and every rollout would have to
 * outlast that). Refresh tokens and the single-sign-on session keep the platform's defaults.
 */
export const jobsApp = instance(
  'jobs',
  { app: 3200, auth: 4400, api: 4500 },
  {
    AUTH_ACCESS_TOKEN_TTL: '8',
    API_FIRMWARE_UPDATE_SECONDS: '1',
    API_FIRMWARE_FAILURE_RATE: '0',
    JOBS_COMMAND_POLL_MS: '250',
  },
);

/** Debian's Chromium (no browser download works here; `scripts/ensure-chromium.sh` installs it). */
export const chromiumLaunchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
