import { defineConfig } from 'vitest/config';

// The chaos suite (tests/chaos): one scenario at a time, each with its own processes and servers.
export default defineConfig({
  test: {
    include: ['tests/chaos/**/*.test.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 420_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
