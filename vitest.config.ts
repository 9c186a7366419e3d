import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // scripts/test.sh compiles Herald once for the ~100 `herald` processes the suite starts; a run of a few
    // files skips it and starts them with tsx.
    globalSetup: process.env.HERALD_TEST_COMPILED === '1' ? ['tests/helpers/compiled-herald.ts'] : [],
    exclude: ['tests/chaos/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: integration tests start real workers, so keep parallelism modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
