import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/plain-summary-reporter.ts'],
    // Redis and Chromium for the tests that need them (test/setup/services.ts).
    globalSetup: ['./test/setup/services.ts'],
    // Statistical validation runs take seconds each; no test asserts on wall-clock time.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { TZ: 'UTC' },
  },
});
