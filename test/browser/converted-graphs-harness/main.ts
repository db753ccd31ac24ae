// Browser harness for test/browser/converted-graphs-webgpu.test.ts: runs one ONNX graph on ORT's
// webgpu EP and on its wasm EP with the same feeds and reports, per output, max|webgpu − wasm|
// and the rms of the wasm output, plus ORT's verbose session log of the webgpu session (its
// "Node placements" section says which EP each node was assigned to).
// The log tap wraps console before ORT's wasm module binds it, so it is imported first.
import { withOrtLog } from '../../../src/engine/ort/ort-log-tap.ts';
import * as ort from 'onnxruntime-web/webgpu';

export interface FeedSpec {
  name: string;
  dtype: 'float32' | 'int32' | 'int64';
  dims: number[];
  /** URL of the raw little-endian values. */
  url: string;
}

export interface GraphCase {
  /** URL of the .onnx file. */
  model: string;
  /** External data files: path as written in the graph → URL. */
  externalData: { path: string; url: string }[];
  feeds: FeedSpec[];
}

export interface OutputDiff {
  dims: number[];
  maxAbsDiff: number;
  rmsWasm: number;
  /** NaN/Inf counts: a non-finite value on one EP only is a failure, not a diff of NaN. */
  nonFiniteWebgpu: number;
  nonFiniteWasm: number;
}

export interface CompareResult {
  outputs: Record<string, OutputDiff>;
  /** ORT log lines printed while the webgpu session was created. */
  webgpuLog: string[];
  /** Milliseconds for session creation and one run, per EP (for the log, never asserted). */
  ms: Record<'webgpu' | 'wasm', { create: number; run: number }>;
}

ort.env.wasm.wasmPaths = new URL('./ort/', new URL('../../../', location.href)).href;
ort.env.wasm.numThreads = 1;

const ARRAYS = { float32: Float32Array, int32: Int32Array, int64: BigInt64Array } as const;

async function bytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

const ms: CompareResult['ms'] = { webgpu: { create: 0, run: 0 }, wasm: { create: 0, run: 0 } };

async function runOn(ep: 'webgpu' | 'wasm', c: GraphCase, model: Uint8Array, external: { path: string; data: Uint8Array }[], feeds: Record<string, ort.Tensor>, log: string[] | null) {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    externalData: external,
    logSeverityLevel: log ? 0 : 3,
    logVerbosityLevel: 0,
  };
  const t0 = performance.now();
  const create = () => ort.InferenceSession.create(model, options);
  let session: ort.InferenceSession;
  if (log) {
    const created = await withOrtLog(create);
    session = created.value;
    log.push(...created.lines);
  } else {
    session = await create();
  }
  const t1 = performance.now();
  try {
    const out = await session.run(feeds);
    ms[ep] = { create: t1 - t0, run: performance.now() - t1 };
    const res: Record<string, { dims: number[]; data: Float32Array }> = {};
    for (const name of session.outputNames) {
      const t = out[name];
      res[name] = { dims: [...t.dims], data: Float32Array.from(t.data as Float32Array) };
      t.dispose();
    }
    return res;
  } catch (e) {
    throw new Error(`${ep} run of ${c.model}: ${(e as Error).message}`);
  } finally {
    await session.release();
  }
}

async function compare(c: GraphCase): Promise<CompareResult> {
  const model = await bytes(c.model);
  const external = await Promise.all(c.externalData.map(async (e) => ({ path: e.path, data: await bytes(e.url) })));
  const feeds: Record<string, ort.Tensor> = {};
  for (const f of c.feeds) {
    const b = (await bytes(f.url)).buffer as ArrayBuffer;
    feeds[f.name] = new ort.Tensor(f.dtype, new ARRAYS[f.dtype](b) as never, f.dims);
  }
  const webgpuLog: string[] = [];
  const gpu = await runOn('webgpu', c, model, external, feeds, webgpuLog);
  const cpu = await runOn('wasm', c, model, external, feeds, null);
  const outputs: Record<string, OutputDiff> = {};
  for (const [name, ref] of Object.entries(cpu)) {
    const got = gpu[name];
    if (got.data.length !== ref.data.length) throw new Error(`${name}: webgpu gave ${got.dims}, wasm ${ref.dims}`);
    let m = 0, ss = 0, nfG = 0, nfW = 0;
    for (let i = 0; i < ref.data.length; i++) {
      const a = got.data[i], b = ref.data[i];
      if (!Number.isFinite(a)) nfG++;
      if (!Number.isFinite(b)) nfW++;
      if (Number.isFinite(a) && Number.isFinite(b)) {
        m = Math.max(m, Math.abs(a - b));
        ss += b * b;
      }
    }
    outputs[name] = { dims: ref.dims, maxAbsDiff: m, rmsWasm: Math.sqrt(ss / Math.max(1, ref.data.length)), nonFiniteWebgpu: nfG, nonFiniteWasm: nfW };
  }
  return { outputs, webgpuLog, ms: structuredClone(ms) };
}

(globalThis as unknown as { graphHarness: { compare: typeof compare } }).graphHarness = { compare };
document.getElementById('status')!.textContent = 'ready';
