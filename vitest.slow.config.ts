import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// Full-architecture WebGPU runs (see vitest.config.ts): meant for a machine with a real GPU.
// Spread, not mergeConfig: mergeConfig concatenates arrays and would keep the base's exclusion
// of *.slow.test.ts.
export default defineConfig({ test: { ...base.test, include: ['test/**/*.slow.test.ts'], exclude: ['**/node_modules/**'] } });
