import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// Full-architecture WebGPU runs (see vitest.config.ts): meant for a machine with a real GPU.
export default mergeConfig(base, defineConfig({ test: { include: ['test/**/*.slow.test.ts'], exclude: ['**/node_modules/**'] } }));
