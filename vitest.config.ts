import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // 'default' for people; the summary reporter's last line (`tests: N passed, M failed`) for CI.
    reporters: ['default', './test/reporters/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'node', include: ['test/unit/**/*.test.ts', 'test/golden/**/*.test.ts', 'test/reliability/**/*.test.ts'] } },
      // One browser file at a time: each drives Chromium with WebGPU emulated on the CPU
      // (SwiftShader), and two of them at once starve each other's timed waits on 2 cores.
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});
