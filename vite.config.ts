import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { firstLoadBudget } from './web/build/first-load-budget.ts';

const projectRoot = fileURLToPath(new URL('.', import.meta.url));

// One config for Vite (the SPA in web/, built to dist/web and served by the BFF) and Vitest.
export default defineConfig({
  root: 'web',
  plugins: [react(), firstLoadBudget({ budgetKb: 120 })],
  build: { outDir: '../dist/web', emptyOutDir: true, reportCompressedSize: true },
  server: {
    // `npm run dev`: Vite's hot reload, with /bff and /api forwarded to the BFF on its own port.
    port: 5173,
    proxy: { '/bff': 'http://localhost:3000', '/api': 'http://localhost:3000' },
  },
  test: {
    root: projectRoot,
    include: ['platform/**/*.test.ts', 'bff/**/*.test.ts', 'lib/**/*.test.ts', 'web/**/*.test.{ts,tsx}'],
    environment: 'node',
    // A fresh PostgreSQL for the run, as TEST_DATABASE_URL (unless that is set already).
    globalSetup: ['scripts/vitest-postgres.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration tests start real servers on ephemeral ports; keep parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
