import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { type AppInstance, chromiumLaunchOptions, defaultApp, jobsApp, shortApp } from './instances.ts';

// End-to-end tests in Debian's Chromium against the app started as `npm start` starts it, minus the
// build: `dist/web` must be built first (`npm run test:e2e` runs `vite build` before this).
// Run: `npx playwright test -c e2e` (all), `--grep-invert @long` (quick ones), `--grep @long` (long ones).

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

// The servers serve the built SPA: refuse to start without it, and say so when it looks older than web/.
const builtIndex = join(repoRoot, 'dist/web/index.html');
if (!existsSync(builtIndex)) {
  throw new Error('dist/web is not built: run `npx vite build` first (`npm run test:e2e` does).');
}
// What goes into the build: not the docs, not the unit tests.
const notBuilt = /\.md$|\.test\.tsx?$/;
const newestSource = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true })
      .filter((entry) => !notBuilt.test(entry.name))
      .map((entry) =>
        entry.isDirectory() ? newestSource(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
      ),
  );
if (newestSource(join(repoRoot, 'web')) > statSync(builtIndex).mtimeMs) {
  console.warn(
    'Warning: web/ has changed since dist/web was built; run `npx vite build` to test the current SPA.',
  );
}

function webServer(app: AppInstance) {
  return {
    name: app.project,
    // Wipe the instance's data folder so every run starts with fresh keys, sessions and counters.
    command: `rm -rf '${app.dataDir}' && exec npx tsx scripts/start.ts`,
    cwd: repoRoot,
    env: app.env,
    // The BFF answers `/` with the SPA once the platform and the BFF are both up.
    url: `${app.appUrl}/`,
    reuseExistingServer: false,
    timeout: 90_000,
    stdout: process.env.E2E_SERVER_LOGS ? ('pipe' as const) : ('ignore' as const),
    stderr: 'pipe' as const,
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
  };
}

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results/e2e',
  // One worker: a 2-core machine, three app instances, and long tests that must not compete for CPU.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: '../test-results/e2e-report' }]],
  use: {
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    video: 'off',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    // No browser download works here: Debian's package (`scripts/ensure-chromium.sh` installs it).
    launchOptions: chromiumLaunchOptions,
  },
  projects: [
    // Quick tests first (fail fast), on the platform's default lifetimes.
    {
      name: defaultApp.project,
      testIgnore: ['long-session.spec.ts', 'idp-outage.spec.ts', 'aborted-requests.spec.ts', 'jobs.spec.ts'],
      use: { baseURL: defaultApp.appUrl },
    },
    // Automation jobs, on their own instance (fast firmware updates, 8 s tokens): also quick.
    {
      name: jobsApp.project,
      testMatch: ['jobs.spec.ts'],
      use: { baseURL: jobsApp.appUrl },
    },
    // Tests that live through token expiry, the session's absolute end and an IdP outage.
    {
      name: shortApp.project,
      testMatch: ['long-session.spec.ts', 'idp-outage.spec.ts'],
      use: { baseURL: shortApp.appUrl },
    },
    // Last, on the default instance: if aborted requests crash the app, no other test is hit by it.
    {
      name: 'aborted-requests',
      testMatch: ['aborted-requests.spec.ts'],
      use: { baseURL: defaultApp.appUrl },
    },
  ],
  webServer: [webServer(defaultApp), webServer(shortApp), webServer(jobsApp)],
});
