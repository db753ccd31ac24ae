// A full generation with the tiny random models (real architectures, converted by the real
// converter) from an RGBA image in headless Chromium, under WebGPU (SwiftShader: slow, the
// 64³ conv decoder and 4096-token attention are emulated on the CPU) and under WASM: same
// stage-1 structure for the same seed; ORT's node placement under WebGPU is reported and must
// put no node on the CPU EP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { launchChromium, serveStatic, type BrowserSession, type StaticServer } from '../helpers/browser.ts';
import { buildEngineHarness, HARNESS_PAGE } from './engine-harness/build.ts';
import { makeTinyRandomModels } from '../../src/convert/fixtures/tiny-models.ts';
import type { EngineRequest } from '../../src/engine/protocol.ts';

let siteDir: string;
let server: StaticServer;
let browser: BrowserSession;

function rgbaPng(w: number, h: number): string {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    const inside = ((x - w / 2) / (w * 0.3)) ** 2 + ((y - h / 2) / (h * 0.35)) ** 2 < 1;
    p.data[i] = (x * 3) & 255;
    p.data[i + 1] = (y * 5) & 255;
    p.data[i + 2] = 140;
    p.data[i + 3] = inside ? 255 : 0;
  }
  return `data:image/png;base64,${PNG.sync.write(p).toString('base64')}`;
}

function request(image: string, extra: Partial<EngineRequest> = {}): EngineRequest {
  return { images: [image], seed: 5, ss_guidance_strength: 7.5, ss_sampling_steps: 2, slat_guidance_strength: 3, slat_sampling_steps: 2, multiimage_algo: 'stochastic', mesh_simplify: 0.95, texture_size: 512, ...extra };
}

const harness = <T>(fn: string, ...args: unknown[]): Promise<T> =>
  browser.page.evaluate(([f, a]) => (globalThis as any).engineHarness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

beforeAll(async () => {
  siteDir = await mkdtemp(path.join(tmpdir(), 'trellis-engine-site-'));
  await buildEngineHarness(siteDir);
  await makeTinyRandomModels(path.join(siteDir, 'models', 'tiny'));
  server = await serveStatic(siteDir, { prefix: '/sub/' });
  browser = await launchChromium();
  browser.page.on('console', (m) => {
    if (/CPUExecutionProvider|placed on|^\[progress\]/.test(m.text())) console.log(`[worker console] ${m.text()}`);
  });
  await browser.page.goto(`${server.url}${HARNESS_PAGE}`);
  await browser.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 60_000 });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (siteDir) await rm(siteDir, { recursive: true, force: true });
});

const wasmPaths = () => `${server.url}ort/`;
const image = rgbaPng(200, 160);

describe('engine in Chromium, tiny random models', () => {
  it('tiny random models: WebGPU and WASM give the same stage-1 structure; no node on the CPU EP under WebGPU', async () => {
    const gpuLoad = await harness<{ info: { backend: string }; events: { stage: string; message?: string }[] }>('load', `${server.url}models/tiny/manifest.json`, 'webgpu', wasmPaths(), { inspectPlacement: true, releasePolicy: 'keep' });
    expect(gpuLoad.info.backend).toBe('webgpu');
    const gpu = await harness<any>('generate', request(image, { ss_sampling_steps: 1, slat_sampling_steps: 1 }));
    const placement = gpu.events.filter((e: any) => e.stage === 'load' && /nodes/.test(e.message ?? '')).map((e: any) => e.message as string);
    console.log(`webgpu placement:\n  ${placement.join('\n  ')}`);
    console.log(`webgpu timings: ${JSON.stringify(gpu.timings)}`);
    expect(gpu.backend).toBe('webgpu');
    const wasmLoad = await harness<any>('load', `${server.url}models/tiny/manifest.json`, 'wasm', wasmPaths(), { releasePolicy: 'keep' });
    expect(wasmLoad.info.backend).toBe('wasm');
    const cpu = await harness<any>('generate', request(image, { ss_sampling_steps: 1, slat_sampling_steps: 1 }));
    console.log(`wasm timings: ${JSON.stringify(cpu.timings)}; voxels ${gpu.meshCount / 64} (webgpu) vs ${cpu.meshCount / 64} (wasm)`);
    expect(cpu.meshCount).toBeGreaterThan(0);
    expect(gpu.structure).toEqual(cpu.structure);
    // Every session reported its placement, and none put a node on the CPU EP.
    expect(placement.length).toBeGreaterThanOrEqual(5);
    for (const line of placement) expect(line, line).not.toMatch(/on CPUExecutionProvider/);
  }, 7_200_000);

});
