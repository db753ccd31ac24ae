import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // 'default' for people; the summary reporter's last line (`tests: N passed, M failed`) for CI.
    reporters: ['default', './test/reporters/summary-reporter.ts'],
  },
});
