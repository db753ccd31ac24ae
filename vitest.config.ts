import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // *.slow.test.ts run full generations of real architectures on WebGPU: minutes on a real GPU,
    // hours on SwiftShader (CPU). `npm run test:slow` runs them (vitest.slow.config.ts).
    exclude: ['**/node_modules/**', 'test/**/*.slow.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // 'default' for people; the summary reporter's last line (`tests: N passed, M failed`) for CI.
    reporters: ['default', './test/reporters/summary-reporter.ts'],
  },
});
