#!/usr/bin/env node
// Launcher: lets Node load the TypeScript CLI directly (no build step).
import { register } from 'tsx/esm/api';

register();
process.env.TRELLIS_WEB_CLI = '1';
await import('../src/cli/main.ts');
