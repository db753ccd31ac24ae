// Pipeline plumbing on stand-in graphs (test/unit/engine-testkit.ts) run by ORT wasm, checked
// against a TypeScript replica: RNG order (stage-1 noise, then stage-2 noise from the same
// generator), sampler wiring, occupancy, index feeds, de-normalisation, decoder rows, CFG pair
// batching, multi-image, cancellation, empty structures and pinned-tensor bookkeeping.
import { beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/engine/pipeline/run-pipeline.ts';
import { denormalize } from '../../src/engine/pipeline/structured-latent.ts';
import { TorchGenerator } from '../../src/engine/rng/index.ts';
import { sampleFlowEuler, type SamplerParams, type VelocityFn } from '../../src/engine/sampler/index.ts';
import { occupancyToCoords } from '../../src/engine/sparse/occupancy.ts';
import { meshDecoderOutputCoords } from '../../src/engine/sparse/decoder-feeds.ts';
import { EngineError } from '../../src/engine/errors.ts';
import type { PipelineRequest } from '../../src/engine/pipeline/types.ts';
import type { ProgressEvent } from '../../src/engine/protocol.ts';
import { C, L, R, fakeProvider, fakeSsFlowJs, slatFlowIndexInputs } from './engine-testkit.ts';

const SS: SamplerParams = { steps: 4, cfgStrength: 2.5, cfgInterval: [0.5, 1], rescaleT: 3, sigmaMin: 1e-5 };
const SLAT: SamplerParams = { steps: 3, cfgStrength: 1.5, cfgInterval: [0.5, 1], rescaleT: 3, sigmaMin: 1e-5 };
const NORM = { mean: [0.1, -0.2, 0.3, 0, 0.5, -0.6, 0.7, 0.05], std: [1.1, 0.9, 1.3, 0.5, 2, 1, 0.7, 1.5] };

function condOf(K: number): Float32Array {
  return new Float32Array(K * L * C).map((_, i) => Math.sin(i * 0.37) * 0.8 + 0.1 * Math.floor(i / (L * C)));
}

function request(K: number, extra: Partial<PipelineRequest> = {}): PipelineRequest {
  return { cond: { data: condOf(K), dims: [K, L, C] }, seed: 7, ss: SS, slat: SLAT, multiimageAlgo: 'stochastic', normalization: NORM, decoders: { mesh: true, gaussians: false }, ...extra };
}

/** The same pipeline in TypeScript, using the closed forms of the stand-in graphs. */
async function replica(req: PipelineRequest, bias: number) {
  const [K] = req.cond.dims;
  const slice = (k: number) => req.cond.data.subarray(k * L * C, (k + 1) * L * C);
  const zeros = new Float32Array(L * C);
  const gen = new TorchGenerator(req.seed);
  const ssModel: VelocityFn = async (x, t, ref) => fakeSsFlowJs(x, t, ref.kind === 'neg' ? zeros : slice(ref.index));
  const multi = K > 1 ? { algo: req.multiimageAlgo, count: K } : undefined;
  const z = (await sampleFlowEuler(gen.randn([1, 8, R, R, R]), ssModel, req.ss, { multi })).samples;
  const S = 2 * R;
  const logits = new Float32Array(S ** 3);
  for (let x = 0; x < S; x++) for (let y = 0; y < S; y++) for (let w = 0; w < S; w++) logits[(x * S + y) * S + w] = z[((x >> 1) * R + (y >> 1)) * R + (w >> 1)] + Math.fround(bias);
  const coords = occupancyToCoords(logits, [1, 1, S, S, S]);
  const n = coords.length / 4;
  const idx = slatFlowIndexInputs(coords, n);
  const parentPos = new Float32Array(n).map((_, i) => {
    const p = idx.up_index.data[i];
    const c = idx.coarse_pos.data as Float32Array;
    return (c[p * 3] + c[p * 3 + 1] + c[p * 3 + 2]) / 3;
  });
  const slatModel: VelocityFn = async (x, t, ref) => {
    const cond = ref.kind === 'neg' ? zeros : slice(ref.index);
    let s = 0;
    for (const v of cond) s += v;
    const m = s / cond.length;
    return x.map((v, i) => v * 0.3 + m + t * 0.002 + parentPos[Math.floor(i / 8)] * 0.01);
  };
  const feats = (await sampleFlowEuler(gen.randn([n, 8]), slatModel, req.slat, { multi })).samples;
  return { coords, n, slat: denormalize(feats, 8, req.normalization) };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('engine pipeline plumbing (stand-in graphs, ORT wasm)', () => {
  let fp: Awaited<ReturnType<typeof fakeProvider>>;
  beforeAll(async () => {
    fp = await fakeProvider({ decoderBias: 0.8 });
  }, 60_000);

  it('single image: coords, slat feats and mesh rows follow the reference order and RNG stream', async () => {
    const events: ProgressEvent[] = [];
    const req = request(1, { onProgress: (e) => events.push(e) });
    const r = await runPipeline(fp.provider, req);
    const ref = await replica(req, 0.8);
    expect(r.structure.count).toBe(ref.n);
    expect(ref.n).toBeGreaterThan(10);
    expect(ref.n).toBeLessThan((2 * R) ** 3);
    expect(Array.from(r.structure.coords)).toEqual(Array.from(ref.coords));
    expect(maxDiff(r.slat.feats, ref.slat)).toBeLessThan(1e-5);
    // Mesh stand-in: row r is latent row r/64 times W.
    const mesh = r.mesh!;
    expect(mesh.count).toBe(64 * ref.n);
    expect(mesh.resolution).toBe(256);
    expect(Array.from(mesh.coords)).toEqual(Array.from(meshDecoderOutputCoords(ref.coords, ref.n)));
    const row = 64 * 3 + 17;
    const expected = Array.from({ length: 101 }, (_, j) => {
      let s = 0;
      for (let i = 0; i < 8; i++) s += r.slat.feats[3 * 8 + i] * (i + 1) * 0.01 * ((j % 7) - 3);
      return s;
    });
    for (let j = 0; j < 101; j++) expect(mesh.feats[row * 101 + j]).toBeCloseTo(expected[j], 5);
    // Progress: every sampler step of both stages, in order, elapsed non-decreasing.
    const steps = (stage: string) => events.filter((e) => e.stage === stage && e.step !== undefined).map((e) => `${e.step}/${e.steps}`);
    expect(steps('sparse_structure')).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(steps('structured_latent')).toEqual(['1/3', '2/3', '3/3']);
    for (let i = 1; i < events.length; i++) expect(events[i].elapsed!).toBeGreaterThanOrEqual(events[i - 1].elapsed!);
    expect(Object.keys(r.timings)).toEqual(expect.arrayContaining(['sparse_structure', 'sparse_decode', 'structured_latent', 'mesh_decode']));
    for (const c of Object.values(fp.counters)) expect(c.releases).toBe(c.pins);
  }, 60_000);

  it('batching the CFG pair into one call gives the same result with fewer stage-1 calls', async () => {
    const before = fp.counters.ss_flow.calls;
    const plain = await runPipeline(fp.provider, request(1));
    const plainCalls = fp.counters.ss_flow.calls - before;
    const mid = fp.counters.ss_flow.calls;
    const batched = await runPipeline(fp.provider, request(1, { batchCfgPair: true }));
    const batchedCalls = fp.counters.ss_flow.calls - mid;
    expect(Array.from(batched.structure.coords)).toEqual(Array.from(plain.structure.coords));
    expect(maxDiff(batched.slat.feats, plain.slat.feats)).toBeLessThan(1e-6);
    // 4 steps, rescale 3, interval [0.5, 1]: guided iff t_lin >= 0.25, i.e. all four steps.
    expect(plainCalls).toBe(4 * 2);
    expect(batchedCalls).toBe(4);
  }, 60_000);

  for (const algo of ['stochastic', 'multidiffusion'] as const) {
    it(`multi-image (${algo}, K = 3) matches the replica`, async () => {
      const req = request(3, { multiimageAlgo: algo });
      const r = await runPipeline(fp.provider, req);
      const ref = await replica(req, 0.8);
      expect(Array.from(r.structure.coords)).toEqual(Array.from(ref.coords));
      expect(maxDiff(r.slat.feats, ref.slat)).toBeLessThan(1e-5);
    }, 60_000);
  }

  it('cancelling during stage 2 stops before the next model call with CANCELLED, pins released', async () => {
    const controller = new AbortController();
    const calls0 = fp.counters.slat_flow.calls;
    const err = await runPipeline(fp.provider, request(1, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.stage === 'structured_latent' && e.step === 1) controller.abort();
      },
    })).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('CANCELLED');
    // Step 1 (t = 1, guided) made two calls; nothing ran after the abort.
    expect(fp.counters.slat_flow.calls - calls0).toBe(2);
    for (const c of Object.values(fp.counters)) expect(c.releases).toBe(c.pins);
  }, 60_000);

  it('no occupied voxel is BAD_IMAGE with a message, not a crash downstream', async () => {
    const empty = await fakeProvider({ decoderBias: -1000 });
    const err = await runPipeline(empty.provider, request(1)).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('BAD_IMAGE');
    expect((err as Error).message).toMatch(/no occupied voxel/);
    expect(empty.counters.slat_flow.calls).toBe(0);
  }, 60_000);

  it('checkMemory sees the voxel count before stage 2, and its refusal stops the run there', async () => {
    const seen: number[] = [];
    const calls0 = fp.counters.slat_flow.calls;
    const refuse = request(1, {
      checkMemory: (voxels) => {
        seen.push(voxels);
        throw new EngineError('OUT_OF_MEMORY', `structured_latent at ${voxels} voxels does not fit`);
      },
    });
    await expect(runPipeline(fp.provider, refuse)).rejects.toMatchObject({ code: 'OUT_OF_MEMORY', message: expect.stringContaining('voxels does not fit') });
    expect(fp.counters.slat_flow.calls).toBe(calls0);
    const ref = await replica(refuse, 0.8);
    expect(seen).toEqual([ref.n]);
  });

  it('rejects cond whose size does not match its dims', async () => {
    const err = await runPipeline(fp.provider, { ...request(1), cond: { data: new Float32Array(7), dims: [1, L, C] } }).catch((e) => e);
    expect((err as EngineError).code).toBe('BAD_REQUEST');
  });
});
