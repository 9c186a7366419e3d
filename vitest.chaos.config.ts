import { defineConfig } from 'vitest/config';
import { CHAOS_LANES } from './tests/chaos/lanes.js';

// The chaos suite (tests/chaos): CHAOS_LANES scenarios at a time (default 2), each lane with its own
// private Redis and PostgreSQL, each scenario with its own processes, database, fakes and ports.
export default defineConfig({
  test: {
    include: ['tests/chaos/**/*.test.ts'],
    globalSetup: ['tests/helpers/compiled-herald.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    maxConcurrency: CHAOS_LANES,
    testTimeout: 420_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
