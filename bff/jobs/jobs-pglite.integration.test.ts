import { describeJobs } from './jobs-suite.ts';

// The embedded default: jobs in PGlite under the data folder.
describeJobs('pglite');
