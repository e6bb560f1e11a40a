import { defineConfig } from 'vitest/config';

// One config for Vite (the SPA in web/, added by the SPA issue) and Vitest (every *.test.ts).
export default defineConfig({
  test: {
    include: ['platform/**/*.test.ts', 'bff/**/*.test.ts', 'web/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration tests start real servers on ephemeral ports; keep parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
