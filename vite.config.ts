import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const ORT_DIST = fileURLToPath(new URL('./node_modules/onnxruntime-web/dist/', import.meta.url));
/**
 * The one onnxruntime-web runtime the app loads: `onnxruntime-web/webgpu` (src/engine/ort/
 * ort-runtime.ts) names only the asyncify build, for its WebGPU EP and its wasm EP alike. The
 * other runtimes in ORT's dist/ (plain, jsep, jspi) are never requested, so they are not shipped.
 */
export const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.asyncify.mjs'];
const ORT_FILE = /^ort-wasm-simd-threaded\.asyncify\.(wasm|mjs)$/;

export const ORT_DIST_DIR = ORT_DIST;

/** Copies the ORT runtime into `<outDir>/ort/`. */
export async function copyOrtRuntime(outDir: string): Promise<void> {
  const dir = join(outDir, 'ort');
  await mkdir(dir, { recursive: true });
  await Promise.all(ORT_RUNTIME_FILES.map((f) => copyFile(join(ORT_DIST, f), join(dir, f))));
}

/**
 * onnxruntime-web/webgpu names its wasm with `new URL("….wasm", import.meta.url)` as a default
 * for when env.wasm.wasmPaths is unset. Vite would emit that 26 MB file a second time under
 * assets/ (or inline it as base64 in library mode). Site and widget always set wasmPaths to the
 * shared ort/ folder, so the literal is split to keep Vite from picking it up.
 */
export function keepOrtWasmExternal(): Plugin {
  const runtime = ORT_RUNTIME_FILES[0]!;
  return {
    name: 'trellis-ort-wasm-external',
    transform(code, id) {
      if (!id.includes('onnxruntime-web') || !code.includes(runtime)) return null;
      return { code: code.replaceAll(`new URL("${runtime}",import.meta.url)`, `new URL("${runtime.replace('.wasm', '')}"+".wasm",import.meta.url)`), map: null };
    },
  };
}

/**
 * @gltf-transform/core's NodeIO imports `node:fs` / `node:path` lazily. The package's own
 * "browser" field maps `fs` and `path` to false, but spelled with the `node:` prefix they slip
 * past that map and Vite warns. Resolve them as the package intends in browsers: to nothing
 * (the site only uses WebIO, which never reaches that code).
 */
export function gltfTransformBrowserMap(): Plugin {
  const EMPTY = '\0trellis-gltf-transform-browser-false';
  return {
    name: 'trellis-gltf-transform-browser-map',
    enforce: 'pre',
    resolveId(source, importer) {
      if ((source === 'node:fs' || source === 'node:path') && importer?.includes('/@gltf-transform/core/')) return EMPTY;
      return null;
    },
    load(id) {
      return id === EMPTY ? 'export default {};' : null;
    },
  };
}

/**
 * Ships onnxruntime-web's wasm runtime as ./ort/ next to index.html (the client points
 * ort.env.wasm.wasmPaths there with an absolute URL), in the build and in the dev server.
 */
export function ortWasmFiles(): Plugin {
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
      await copyOrtRuntime(options.dir ?? 'dist');
    },
  };
}

/**
 * Model folders under public/models/ (e.g. the tiny demo set from `npm run fixtures`) are for
 * the dev server. Vite copies all of public/ into the build, so they are removed from it again
 * unless TRELLIS_BUILD_MODELS=1 asks to ship them; a deployment serves its real models itself.
 */
function leaveModelsOut(): Plugin {
  return {
    name: 'trellis-leave-models-out',
    apply: 'build',
    async writeBundle(options) {
      if (process.env.TRELLIS_BUILD_MODELS === '1') return;
      const dir = join(options.dir ?? 'dist', 'models');
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => rm(join(dir, e.name), { recursive: true, force: true })));
    },
  };
}

/**
 * Offline use. The service worker precaches the app shell (every built file up to Workbox's 2 MiB
 * limit: HTML, JS, CSS, icons, the small wasm files). Larger files are cached at run time:
 *  - ORT's wasm runtime (/ort/, ~27 MB): CacheFirst on first use.
 *  - model manifests: NetworkFirst, so a re-converted model is seen online and the last one is
 *    used offline.
 *  - model files: the engine already keeps every verified file in the Cache API (keyed by URL and
 *    sha256) and reads it from there without touching the network, so a second CacheFirst copy
 *    would double the disk use (gigabytes for the real model). The service worker instead answers
 *    a model-file request that fails on the network from that same store.
 */
function offlineSupport(): Plugin[] {
  return VitePWA({
    strategies: 'generateSW',
    injectRegister: null, // src/app/sw-register.ts registers it (and reports the state on the page)
    registerType: 'autoUpdate',
    filename: 'sw.js',
    manifestFilename: 'manifest.webmanifest',
    includeAssets: ['icons/*'],
    manifest: {
      name: 'Trellis Web — image to 3D',
      short_name: 'Trellis Web',
      description: 'TRELLIS image-to-3D running locally in the browser (WebGPU, WASM fallback); GLB download.',
      start_url: './',
      scope: './',
      display: 'standalone',
      background_color: '#f4f5f8',
      theme_color: '#2f4b6e',
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      ],
    },
    workbox: {
      globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
      // Models and ORT runtimes are runtime-cached (size); the widget build is a separate product.
      globIgnores: ['models/**', 'ort/**', 'widget/**', '**/ort-wasm-simd-threaded*'],
      // ?model=…&device=… must still find the precached page.
      ignoreURLParametersMatching: [/.*/],
      navigateFallback: null,
      clientsClaim: true,
      skipWaiting: true,
      cleanupOutdatedCaches: true,
      runtimeCaching: [
        {
          urlPattern: ({ url }) => /\/ort\/ort-wasm[^/]*\.(wasm|mjs)$/.test(url.pathname),
          handler: 'CacheFirst',
          options: { cacheName: 'trellis-web-ort', cacheableResponse: { statuses: [200] } },
        },
        {
          urlPattern: ({ url }) => /\/models\/.+\/manifest\.json$/.test(url.pathname),
          handler: 'NetworkFirst',
          options: { cacheName: 'trellis-web-manifests', networkTimeoutSeconds: 8, cacheableResponse: { statuses: [200] } },
        },
        {
          urlPattern: ({ url }) => /\/models\/.+\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/manifest.json'),
          // Serialised into sw.js: no outside references. 'trellis-web-models-v1' is the engine's
          // store (src/engine/model-store/cache-api-store.ts MODEL_CACHE_NAME); its keys carry
          // ?sha256=, hence ignoreSearch. The engine verifies whatever it gets.
          handler: async ({ request }) => {
            try {
              return await fetch(request);
            } catch (error) {
              const cache = await caches.open('trellis-web-models-v1');
              const hit = await cache.match(request.url, { ignoreSearch: true });
              if (hit) return hit;
              throw error;
            }
          },
        },
      ],
    },
  });
}

export default defineConfig({
  // Relative base: the built site works from any static server and under any sub-path.
  base: './',
  build: {
    target: 'es2022',
    // The wasm copy and worker bundling are legitimately slow; the timing report is only noise.
    rolldownOptions: {
      checks: { bundlerTimings: false },
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        embed: fileURLToPath(new URL('./embed.html', import.meta.url)),
        'demo-host': fileURLToPath(new URL('./demo-host.html', import.meta.url)),
      },
    },
    chunkSizeWarningLimit: 1024,
  },
  worker: { format: 'es', plugins: () => [keepOrtWasmExternal(), gltfTransformBrowserMap()], rolldownOptions: { checks: { bundlerTimings: false } } },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  plugins: [keepOrtWasmExternal(), gltfTransformBrowserMap(), ortWasmFiles(), leaveModelsOut(), offlineSupport()],
});
