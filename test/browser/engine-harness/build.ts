// Builds the engine harness page (index.html + harness worker + src/engine) into `outDir`, with
// ORT's wasm runtimes copied to `<outDir>/ort/`. Independent of the site's vite.config.ts so the
// engine tests and bench do not depend on the app's pages.
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..');
const ORT_DIST = path.join(REPO, 'node_modules/onnxruntime-web/dist');

/** Path of the harness page inside the built folder. */
export const HARNESS_PAGE = 'test/browser/engine-harness/index.html';

export async function buildEngineHarness(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: REPO,
    base: './',
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      rolldownOptions: { input: { harness: path.join(HERE, 'index.html') }, checks: { bundlerTimings: false } },
    },
    worker: { format: 'es', rolldownOptions: { checks: { bundlerTimings: false } } },
    optimizeDeps: { exclude: ['onnxruntime-web'] },
  } as never);
  await mkdir(path.join(outDir, 'ort'), { recursive: true });
  for (const f of await readdir(ORT_DIST)) {
    if (/^ort-wasm-simd-threaded.*\.(wasm|mjs)$/.test(f)) await copyFile(path.join(ORT_DIST, f), path.join(outDir, 'ort', f));
  }
}
