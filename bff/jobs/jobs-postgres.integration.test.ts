import { describe, it } from 'vitest';
import { describeJobs } from './jobs-suite.ts';

// The same suite on a real PostgreSQL (DATABASE_URL), started for the test run by scripts/vitest-postgres.ts.
if (process.env.TEST_DATABASE_URL) describeJobs('postgres');
else
  describe('automation jobs (postgres)', () =>
    it.skip('needs TEST_DATABASE_URL (set by the Vitest global setup)'));
