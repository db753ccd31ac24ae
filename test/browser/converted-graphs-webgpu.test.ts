// Every converted graph on ORT-web's WebGPU EP in headless Chromium (SwiftShader), against the
// WASM EP in the same page on the same feeds:
//  - max|webgpu − wasm| ≤ 1e-3·max(1, rms(wasm)) for every output, no NaN/Inf;
//  - ORT put no node on the CPU EP, not even shape arithmetic (the engine's parser of ORT's
//    verbose "Node placements" log of the webgpu session, src/engine/ort/placement.ts).
// Models: the tiny random models (makeTinyRandomModels, the real layout and converter path);
// feeds: helpers/converted-graph-cases.ts (engine index builders, TorchGenerator inputs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeBrowserTest, launchChromium, openHarnessPage, REPO_ROOT, serveStatic, type BrowserSession, type StaticServer } from '../helpers/browser.ts';
import { makeTinyRandomModels } from '../../src/convert/fixtures/tiny-models.ts';
import { convertedGraphCases, type GraphRunCase } from '../helpers/converted-graph-cases.ts';
import { cpuNodeCount, parsePlacement } from '../../src/engine/ort/placement.ts';
import type { CompareResult } from './converted-graphs-harness/main.ts';

const LABELS = [
  'dinov2',
  'ss_flow',
  'ss_decoder',
  'slat_flow',
  'slat_flow (few tokens)',
  'slat_decoder_mesh.head',
  'slat_decoder_mesh.stats',
  'slat_decoder_mesh.tail',
  'slat_decoder_gs',
];

let siteDir: string;
let server: StaticServer;
let browser: BrowserSession;
const cases = new Map<string, GraphRunCase>();
const modelDir = () => path.join(siteDir, 'models', 'tiny');

async function buildHarness(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    root: REPO_ROOT,
    configFile: path.join(REPO_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, rolldownOptions: { input: { harness: path.join(REPO_ROOT, 'test/browser/converted-graphs-harness/index.html') } } },
  });
}

beforeAll(async () => {
  siteDir = await mkdtemp(path.join(tmpdir(), 'trellis-graphs-site-'));
  await buildHarness(siteDir);
  await makeTinyRandomModels(modelDir());
  for (const c of await convertedGraphCases(modelDir())) cases.set(c.label, c);
  server = await serveStatic(siteDir, { prefix: '/sub/' });
  browser = await launchChromium();
  await openHarnessPage(browser, `${server.url}test/browser/converted-graphs-harness/index.html`);
}, 900_000);

afterAll(() => closeBrowserTest(browser, server, siteDir));

async function compareInPage(c: GraphRunCase): Promise<CompareResult> {
  const id = c.label.replace(/[^\w.]+/g, '_');
  const dir = path.join(siteDir, 'feeds', id);
  await mkdir(dir, { recursive: true });
  const feeds = await Promise.all(Object.entries(c.feeds).map(async ([name, f]) => {
    await writeFile(path.join(dir, `${name}.bin`), new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength));
    return { name, dtype: f.dtype, dims: f.dims, url: `${server.url}feeds/${id}/${name}.bin` };
  }));
  const spec = {
    model: `${server.url}models/tiny/${c.file}`,
    externalData: c.externalData.map((p) => ({ path: p, url: `${server.url}models/tiny/${p}` })),
    feeds,
  };
  return browser.page.evaluate((s) => (globalThis as any).graphHarness.compare(s), spec) as Promise<CompareResult>;
}

describe('converted graphs: WebGPU EP vs WASM EP in Chromium', () => {
  it('the case list covers every graph of the converted models', () => {
    expect([...cases.keys()].sort()).toEqual([...LABELS].sort());
  });

  for (const label of LABELS) {
    it(`${label}: webgpu equals wasm within 1e-3·max(1, rms); no node on the CPU EP`, async () => {
      const c = cases.get(label);
      if (!c) throw new Error(`no case ${label}; cases: ${[...cases.keys()].join(', ')}`);
      const r = await compareInPage(c);
      const placement = parsePlacement(r.webgpuLog);
      if (!placement) throw new Error(`${label}: no "Node placements" section in ORT's log of the webgpu session`);
      for (const [name, o] of Object.entries(r.outputs)) {
        console.log(`${label} [${c.note}] ${name} [${o.dims.join(',')}]: max|webgpu−wasm| ${o.maxAbsDiff.toExponential(3)} rms(wasm) ${o.rmsWasm.toFixed(4)}`);
      }
      console.log(`${label} ms: webgpu create ${r.ms.webgpu.create.toFixed(0)} run ${r.ms.webgpu.run.toFixed(0)}; wasm create ${r.ms.wasm.create.toFixed(0)} run ${r.ms.wasm.run.toFixed(0)}`);
      console.log(`${label} placement: ${JSON.stringify(placement.counts)}${cpuNodeCount(placement) ? `; CPU nodes: ${(placement.nodes.CPUExecutionProvider ?? []).join('; ')}` : ''}`);

      expect(Object.keys(r.outputs).length).toBeGreaterThan(0);
      for (const [name, o] of Object.entries(r.outputs)) {
        expect(o.nonFiniteWebgpu, `${name}: non-finite values on webgpu`).toBe(0);
        expect(o.nonFiniteWasm, `${name}: non-finite values on wasm`).toBe(0);
        expect(o.maxAbsDiff, `${name}: max|webgpu − wasm|`).toBeLessThanOrEqual(1e-3 * Math.max(1, o.rmsWasm));
      }
      expect(placement.counts.WebGpuExecutionProvider ?? 0).toBeGreaterThan(0);
      expect(cpuNodeCount(placement), `nodes on the CPU EP: ${(placement.nodes.CPUExecutionProvider ?? []).join('; ')}`).toBe(0);
    }, 900_000);
  }
});
