// Engine benchmark: `npx tsx bench/engine.ts [--steps 4] [--no-webgpu] [--no-medium]` (or
// benchEngine()). Per-stage seconds of one generation for
//   - the tiny random models and a medium random model (flows at width 256, 4 blocks; the rest
//     tiny), both converted by the real converter;
//   - WASM in Node (ORT wasm EP, one thread) and WebGPU in headless Chromium (SwiftShader here),
//     side by side;
// then the computed per-stage peak device memory of the real TRELLIS-image-large config (fp16
// weights, N = 40k voxels), which decides the session release policy.
import { mkdtempSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { writeTinyRepo, TINY_CONFIGS } from '../src/convert/fixtures/tiny-models.ts';
import { writeRandomCheckpoint } from '../src/convert/fixtures/random-checkpoint.ts';
import { REAL_CONFIGS } from '../src/convert/fixtures/real-configs.ts';
import { parameterCount, stateDictLayout } from '../src/convert/state-dict-layout.ts';
import { convertModel } from '../src/convert/convert-model.ts';
import { createNodeEngine } from '../src/engine/node-engine.ts';
import { memoryPlan, formatBytes, DEFAULT_VOXELS, type MemoryPlan } from '../src/engine/pipeline/memory-plan.ts';
import type { EngineRequest } from '../src/engine/protocol.ts';
import type { ComponentName, ManifestV1 } from '../src/models/manifest.ts';

export interface EngineBenchRow {
  model: string;
  backend: 'wasm (node)' | 'webgpu (chromium)';
  voxels: number;
  timings: Record<string, number>;
}

export interface EngineBenchResult {
  rows: EngineBenchRow[];
  realPlan: MemoryPlan;
  notes: string[];
}

const STAGES = ['preprocess', 'conditioning', 'sparse_structure', 'sparse_decode', 'structured_latent', 'mesh_decode', 'total'];

function testImage(): string {
  const w = 256;
  const h = 200;
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    const inside = ((x - w / 2) / (w * 0.3)) ** 2 + ((y - h / 2) / (h * 0.35)) ** 2 < 1;
    p.data.set([(x * 3) & 255, (y * 5) & 255, 140, inside ? 255 : 0], i);
  }
  return `data:image/png;base64,${PNG.sync.write(p).toString('base64')}`;
}

/** Medium = the tiny repo with both flows at width 256, 4 blocks, 4 heads. */
async function makeMedium(dir: string): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'trellis-medium-'));
  try {
    const { repoDir, dinov2Dir } = await writeTinyRepo(work);
    for (const key of ['ss_flow', 'slat_flow'] as const) {
      const c = TINY_CONFIGS[key];
      writeRandomCheckpoint(path.join(repoDir, c.stem), c.name, { ...c.args, model_channels: 256, num_blocks: 4, num_heads: 4 }, { dtype: 'F16', seed: 2 });
    }
    await convertModel({ from: repoDir, dinov2: dinov2Dir, out: dir, id: 'medium-random', name: 'Medium random (bench)', dtype: 'fp32' });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function makeTiny(dir: string): Promise<void> {
  const { makeTinyRandomModels } = await import('../src/convert/fixtures/tiny-models.ts');
  await makeTinyRandomModels(dir);
}

function request(image: string, steps: number): EngineRequest {
  return { images: [image], seed: 1, ss_guidance_strength: 7.5, ss_sampling_steps: steps, slat_guidance_strength: 3, slat_sampling_steps: steps, multiimage_algo: 'stochastic', mesh_simplify: 0.95, texture_size: 512 };
}

async function runNode(modelDir: string, image: string, steps: number): Promise<{ timings: Record<string, number>; voxels: number }> {
  const { engine } = await createNodeEngine(modelDir, { releasePolicy: 'keep' });
  try {
    const out = await engine.generate(request(image, steps), undefined, new AbortController().signal);
    return { timings: out.timings, voxels: out.mesh.count / 64 };
  } finally {
    await engine.dispose();
  }
}

/** The same generation in Chromium's WebGPU through the browser-test harness page. */
async function runWebGpu(siteRoot: string, models: string[], image: string, steps: number): Promise<Record<string, { timings: Record<string, number>; voxels: number }>> {
  const { launchChromium, openHarnessPage, serveStatic } = await import('../test/helpers/browser.ts');
  const { buildEngineHarness, HARNESS_PAGE } = await import('../test/browser/engine-harness/build.ts');
  await buildEngineHarness(siteRoot);
  const server = await serveStatic(siteRoot, { prefix: '/' });
  const browser = await launchChromium();
  try {
    await openHarnessPage(browser, `${server.url}${HARNESS_PAGE}`);
    const out: Record<string, { timings: Record<string, number>; voxels: number }> = {};
    // Untimed warm-up (one step each on the first model): ORT's one-off start-up costs
    // (wasm instantiation, WebGPU device, shader compilation of the common kernels) stay out of
    // the per-stage figures.
    const runs: [string, number, boolean][] = [[models[0], 1, false], ...models.map((x): [string, number, boolean] => [x, steps, true])];
    for (const [m, s, timed] of runs) {
      const r = await browser.page.evaluate(
        async ([url, wasm, req]) => {
          const h = (globalThis as any).engineHarness;
          const loaded = await h.load(url, 'webgpu', wasm, { releasePolicy: 'keep' });
          const g = await h.generate(req);
          return { backend: loaded.info.backend as string, timings: g.timings as Record<string, number>, voxels: g.meshCount / 64 };
        },
        [`${server.url}models/${m}/manifest.json`, `${server.url}ort/`, request(image, s)] as const,
      );
      if (r.backend !== 'webgpu') throw new Error(`Chromium ran ${m} on ${r.backend}, not WebGPU`);
      if (timed) out[m] = r;
    }
    return out;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Real TRELLIS-image-large (fp16 weights from parameter counts) through the memory plan. */
export function realConfigPlan(voxels = DEFAULT_VOXELS): MemoryPlan {
  const components: Partial<Record<ComponentName, { config: Record<string, unknown>; files: { size: number }[] }>> = {};
  for (const [name, c] of Object.entries(REAL_CONFIGS)) {
    const params = parameterCount(stateDictLayout(c.name, c.args as Record<string, any>));
    components[name as ComponentName] = { config: c.args as Record<string, unknown>, files: [{ size: params * 2 }] };
  }
  return memoryPlan({ components } as unknown as Pick<ManifestV1, 'components'>, voxels, 2);
}

export async function benchEngine(opts: { steps?: number; webgpu?: boolean; medium?: boolean; log?: (l: string) => void } = {}): Promise<EngineBenchResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const steps = opts.steps ?? 4;
  const notes: string[] = [];
  const root = mkdtempSync(path.join(tmpdir(), 'trellis-bench-engine-'));
  const rows: EngineBenchRow[] = [];
  try {
    const models = ['tiny', ...(opts.medium === false ? [] : ['medium'])];
    log(`making models (${models.join(', ')}) ...`);
    await makeTiny(path.join(root, 'models', 'tiny'));
    if (models.includes('medium')) await makeMedium(path.join(root, 'models', 'medium'));
    const image = testImage();
    log(`wasm (node): warm-up (${models[0]}, 1+1 steps, untimed) ...`);
    await runNode(path.join(root, 'models', models[0]), image, 1);
    for (const m of models) {
      log(`wasm (node): ${m}, ${steps}+${steps} steps ...`);
      const r = await runNode(path.join(root, 'models', m), image, steps);
      rows.push({ model: m, backend: 'wasm (node)', ...r });
    }
    const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    if (opts.webgpu !== false && existsSync(chromium)) {
      log('webgpu (chromium) ...');
      const r = await runWebGpu(root, models, image, steps);
      for (const m of models) rows.push({ model: m, backend: 'webgpu (chromium)', ...r[m] });
    } else {
      notes.push(`WebGPU skipped (${opts.webgpu === false ? 'disabled' : `${chromium} missing`})`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { rows, realPlan: realConfigPlan(), notes };
}

export function formatEngineBench(r: EngineBenchResult): string {
  const lines: string[] = [];
  const cols = r.rows.map((row) => `${row.model} ${row.backend} (N=${row.voxels})`);
  const w = Math.max(18, ...cols.map((c) => c.length));
  lines.push(`${'stage (s)'.padEnd(18)} ${cols.map((c) => c.padStart(w)).join(' ')}`);
  for (const s of STAGES) lines.push(`${s.padEnd(18)} ${r.rows.map((row) => (row.timings[s] === undefined ? '-' : row.timings[s].toFixed(2)).padStart(w)).join(' ')}`);
  lines.push('');
  lines.push(`peak device memory, real TRELLIS-image-large (fp16 weights, N = ${r.realPlan.voxels} voxels, stage-1 CFG pair batched):`);
  for (const s of r.realPlan.stages) {
    lines.push(`  ${s.stage.padEnd(18)} weights ${formatBytes(s.weightBytes).padStart(10)} + activations ${formatBytes(s.activationBytes).padStart(10)} = ${formatBytes(s.peakBytes).padStart(10)}`);
  }
  lines.push(`  per-stage release: peak ${formatBytes(r.realPlan.perStagePeak)}; keep all sessions: peak ${formatBytes(r.realPlan.keepAllPeak)}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const stepsAt = args.indexOf('--steps');
  const result = await benchEngine({ steps: stepsAt >= 0 ? Number(args[stepsAt + 1]) : undefined, webgpu: !args.includes('--no-webgpu'), medium: !args.includes('--no-medium') });
  console.log(formatEngineBench(result));
}
