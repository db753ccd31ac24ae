// Library build of the embeddable widget: dist-widget/trellis-generator.js, one ES module that
// defines <trellis-generator> (main-thread code, the inlined pipeline worker, three.js and the
// geometry step), plus ort/ with the one onnxruntime-web runtime (wasm + its JS glue) it loads at run time.
//   npx vite build -c vite.widget.config.ts                       -> dist-widget/
//   npx vite build -c vite.widget.config.ts --outDir dist/widget  -> next to the site
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { ORT_DIST_DIR } from './vite.config.ts';

const ORT_RUNTIME = 'ort-wasm-simd-threaded.asyncify.wasm';

/**
 * onnxruntime-web/webgpu names its wasm with `new URL("….wasm", import.meta.url)` as a default
 * for when env.wasm.wasmPaths is unset. Library mode inlines every such asset (26 MB as base64);
 * the widget always sets wasmPaths, so the literal is split to keep Vite from picking it up.
 */
function keepOrtWasmExternal(): Plugin {
  return {
    name: 'trellis-widget-ort-wasm-external',
    transform(code, id) {
      if (!id.includes('onnxruntime-web') || !code.includes(ORT_RUNTIME)) return null;
      return { code: code.replaceAll(`new URL("${ORT_RUNTIME}",import.meta.url)`, `new URL("${ORT_RUNTIME.replace('.wasm', '')}"+".wasm",import.meta.url)`), map: null };
    },
  };
}

function copyOrtRuntime(): Plugin {
  return {
    name: 'trellis-widget-ort-runtime',
    async writeBundle(options) {
      const dir = join(options.dir ?? 'dist-widget', 'ort');
      await mkdir(dir, { recursive: true });
      // With wasmPaths set, ORT imports the runtime's JS glue from the same folder as the wasm.
      for (const f of [ORT_RUNTIME, ORT_RUNTIME.replace('.wasm', '.mjs')]) await copyFile(join(ORT_DIST_DIR, f), join(dir, f));
    },
  };
}

export default defineConfig({
  base: './',
  publicDir: false,
  build: {
    outDir: 'dist-widget',
    emptyOutDir: true,
    target: 'es2022',
    lib: {
      entry: fileURLToPath(new URL('./src/widget/index.ts', import.meta.url)),
      formats: ['es'],
      fileName: () => 'trellis-generator.js',
    },
    chunkSizeWarningLimit: 4096,
    minify: true,
    rolldownOptions: { checks: { bundlerTimings: false }, output: { codeSplitting: false } },
  },
  worker: { format: 'es', plugins: () => [keepOrtWasmExternal()], rolldownOptions: { checks: { bundlerTimings: false }, output: { codeSplitting: false } } },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  plugins: [keepOrtWasmExternal(), copyOrtRuntime()],
});
