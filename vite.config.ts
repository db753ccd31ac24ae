import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const ORT_DIST = fileURLToPath(new URL('./node_modules/onnxruntime-web/dist/', import.meta.url));
const ORT_FILE = /^ort-wasm-simd-threaded.*\.(wasm|mjs)$/;

async function ortFiles(): Promise<string[]> {
  const files = (await readdir(ORT_DIST)).filter((f) => ORT_FILE.test(f));
  if (files.length === 0) throw new Error(`no onnxruntime-web wasm files found in ${ORT_DIST}`);
  return files;
}

/**
 * Ships onnxruntime-web's wasm runtimes as ./ort/ next to index.html (the client points
 * ort.env.wasm.wasmPaths there with an absolute URL), in the build and in the dev server.
 */
function ortWasmFiles(): Plugin {
  return {
    name: 'trellis-ort-wasm-files',
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const path = (req.url ?? '').split('?')[0]!;
        const match = /\/ort\/([^/]+)$/.exec(path);
        if (!match || !ORT_FILE.test(match[1]!)) return next();
        res.setHeader('Content-Type', match[1]!.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        createReadStream(join(ORT_DIST, match[1]!)).on('error', next).pipe(res);
      });
    },
    async writeBundle(options) {
      const outDir = join(options.dir ?? 'dist', 'ort');
      await mkdir(outDir, { recursive: true });
      await Promise.all((await ortFiles()).map((f) => copyFile(join(ORT_DIST, f), join(outDir, f))));
    },
  };
}

export default defineConfig({
  // Relative base: the built site works from any static server and under any sub-path.
  base: './',
  build: {
    target: 'es2022',
    // The wasm copy and worker bundling are legitimately slow; the timing report is only noise.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: 'es', rolldownOptions: { checks: { bundlerTimings: false } } },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  plugins: [ortWasmFiles()],
});
