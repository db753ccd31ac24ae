// npm run bench -- --gpu --full-size [--full-size-dir <converted folder>]
// The full-size generation on a real GPU: Chromium (Debian's, headless) with WebGPU on the
// machine's adapter, the released layout with random weights (converted here unless a folder is
// given), fal's defaults (12+12 steps, guidance 7.5 / 3), stage-1 occupancy fixed to ~16k voxels
// of a surface (pipeline/fixed-occupancy.ts). Prints the adapter, per-stage seconds, peak GPU
// buffer bytes. (The share of GPU time in attention vs sparse convolution needs per-kernel GPU
// timestamps, which this bench does not collect yet.) Refuses on a software adapter (SwiftShader): that would run for hours.
import { mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { transparentDiscPng } from './bench-image.ts';
import { shellCoordsOfSize } from '../test/helpers/converted-graph-cases.ts';

const GIB = 1024 ** 3;

/** Flags that give headless Chromium on Linux the real GPU (Vulkan) instead of SwiftShader. */
export const GPU_CHROMIUM_ARGS = ['--enable-features=Vulkan,WebGPU', '--use-angle=vulkan', '--use-vulkan', '--ignore-gpu-blocklist', '--enable-gpu', '--disable-software-rasterizer'];

export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; description?: string }): boolean {
  return /swiftshader|llvmpipe|software|lavapipe/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

export async function benchGpu(opts: { fullSizeDir?: string; log: (l: string) => void }): Promise<boolean> {
  const { launchChromium, openHarnessPage, serveStatic } = await import('../test/helpers/browser.ts');
  const { buildEngineHarness, HARNESS_PAGE } = await import('../test/browser/engine-harness/build.ts');
  const work = mkdtempSync(path.join(tmpdir(), 'trellis-bench-gpu-'));
  try {
    const site = path.join(work, 'site');
    mkdirSync(path.join(site, 'models'), { recursive: true });
    await buildEngineHarness(site);
    const server = await serveStatic(site, { prefix: '/' });
    const browser = await launchChromium(GPU_CHROMIUM_ARGS);
    try {
      await openHarnessPage(browser, `${server.url}${HARNESS_PAGE}`);
      const adapter = await browser.page.evaluate(async () => {
        const gpu = (navigator as { gpu?: { requestAdapter(o?: unknown): Promise<{ info?: Record<string, string> } | null> } }).gpu;
        const a = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
        return a ? { vendor: a.info?.vendor ?? '', architecture: a.info?.architecture ?? '', description: a.info?.description ?? '' } : null;
      });
      console.log(`adapter: ${adapter ? `${adapter.vendor} / ${adapter.architecture} / ${adapter.description}` : 'none'}`);
      if (!adapter) {
        console.log('gpu bench: REFUSED: this Chromium has no WebGPU adapter (is a GPU driver with Vulkan installed?)');
        return false;
      }
      if (isSoftwareAdapter(adapter)) {
        console.log(`gpu bench: REFUSED: the adapter is a software renderer (${adapter.architecture || adapter.vendor}); the full-size generation would take hours. Run this on a machine with a GPU.`);
        return false;
      }
      // The adapter is checked first: no conversion is spent on a machine that would refuse.
      let modelDir = opts.fullSizeDir;
      if (!modelDir) {
        const { convertFullSizeRandom } = await import('../src/convert/fixtures/full-size.ts');
        opts.log('converting random weights with the released shapes (a few minutes) ...');
        modelDir = (await convertFullSizeRandom(path.join(work, 'full'), { log: opts.log })).result.outDir;
      }
      symlinkSync(path.resolve(modelDir), path.join(site, 'models', 'full'));
      const fixed = shellCoordsOfSize(64, 16_000);
      const request = { images: [transparentDiscPng()], seed: 1, ss_guidance_strength: 7.5, ss_sampling_steps: 12, slat_guidance_strength: 3, slat_sampling_steps: 12, multiimage_algo: 'stochastic', mesh_simplify: 0.95, texture_size: 1024 };
      opts.log(`generating: ${fixed.n} fixed voxels, 12+12 steps on WebGPU ...`);
      const r = await browser.page.evaluate(
        async ([url, wasm, req, coords]) => {
          const h = (globalThis as any).engineHarness;
          const loaded = await h.load(url, 'webgpu', wasm, { releasePolicy: 'per-stage', fixedCoords: coords });
          const t0 = performance.now();
          const g = await h.generate(req);
          return { backend: loaded.info.backend as string, timings: g.timings as Record<string, number>, wall: (performance.now() - t0) / 1000, buffers: await h.gpuBuffers(), adapter: await h.gpuAdapter() };
        },
        [`${server.url}models/full/manifest.json`, `${server.url}ort/`, request, Array.from(fixed.coords)] as const,
      );
      if (r.backend !== 'webgpu') {
        console.log(`gpu bench: FAILED: the engine ran on ${r.backend}, not WebGPU`);
        return false;
      }
      console.log(`device limits: maxBufferSize ${(r.adapter.maxBufferSize / GIB).toFixed(2)} GiB, maxStorageBufferBindingSize ${(r.adapter.maxStorageBufferBindingSize / GIB).toFixed(2)} GiB, features ${r.adapter.features.join(', ')}`);
      for (const [k, v] of Object.entries(r.timings)) console.log(`  ${k.padEnd(18)} ${(v as number).toFixed(2)} s`);
      console.log(`peak GPU buffer bytes ${(r.buffers.peakBytes / GIB).toFixed(2)} GiB (buffers created ${r.buffers.created})`);
      return true;
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
