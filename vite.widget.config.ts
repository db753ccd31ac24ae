// Library build of the embeddable widget: dist-widget/trellis-generator.js, one ES module that
// defines <trellis-generator> (main-thread code, the inlined pipeline worker, three.js and the
// geometry step), plus ort/ with the one onnxruntime-web runtime (wasm + its JS glue) it loads at run time.
//   npx vite build -c vite.widget.config.ts                                   -> dist-widget/ (own ort/)
//   npx vite build -c vite.widget.config.ts --outDir dist/widget --mode site  -> next to the site (its ort/)
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { copyOrtRuntime, gltfTransformBrowserMap, keepOrtWasmExternal } from './vite.config.ts';

/**
 * Where the widget finds onnxruntime-web's runtime, relative to trellis-generator.js. Standalone
 * (dist-widget/) it ships its own copy in ./ort/. Built into the site (`--mode site`, as
 * `npm run build` does into dist/widget/) it uses the site's ../ort/, so the 27 MB runtime is
 * shipped once for both.
 */
function ortLocation(mode: string): { dir: string; plugin: Plugin | null } {
  if (mode === 'site') return { dir: '../ort/', plugin: null };
  return {
    dir: './ort/',
    plugin: {
      name: 'trellis-widget-ort-runtime',
      async writeBundle(options) {
        await copyOrtRuntime(options.dir ?? 'dist-widget');
      },
    },
  };
}

export default defineConfig(({ mode }) => {
  const ort = ortLocation(mode);
  return {
    base: './',
    publicDir: false,
    define: { 'import.meta.env.TRELLIS_WIDGET_ORT_DIR': JSON.stringify(ort.dir) },
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
    worker: {
      format: 'es',
      plugins: () => [keepOrtWasmExternal(), gltfTransformBrowserMap()],
      rolldownOptions: { checks: { bundlerTimings: false }, output: { codeSplitting: false } },
    },
    optimizeDeps: { exclude: ['onnxruntime-web'] },
    plugins: [keepOrtWasmExternal(), gltfTransformBrowserMap(), ...(ort.plugin ? [ort.plugin] : [])],
  };
});
