// `verify` for golden/torch_rng (bit-exact torch CPU streams) and golden/sampler (flow Euler
// sampler driven by the golden fake model). Case lists come from each set's index.json.
import { compare, readIndex, readTensor, setGoldenRoot } from '../golden/golden-set.ts';
import { TorchGenerator } from '../engine/rng/torch-generator.ts';
import { sampleFlowEuler } from '../engine/sampler/flow-euler.ts';
import type { SamplerParams, SampleTrace } from '../engine/sampler/types.ts';
import { goldenFakeModel, type FakeModelCall } from './sampler-fake-model.ts';
import type { VerifyRow } from './types.ts';

const RNG_CASE = 'torch_rng';
const SAMPLER_CASE = 'sampler';
const SAMPLER_TOL = 1e-6;
/** args.sigma_min of both samplers in pipeline.json; used when a run's params omit it. */
const DEFAULT_SIGMA_MIN = 1e-5;

type Index = Record<string, any>;

// ---------------------------------------------------------------- torch_rng

/** How a golden torch_rng stream was drawn, from its key (golden README naming). */
export type TorchRngRecipe =
  | { seed: bigint; draw: 'randn' | 'rand'; shape: number[]; before: number[][] };

const STREAM_PATTERNS = 'seed<S>_ss_noise, seed<S>_then_slat_noise_<N>, seed<S>_small_<N>, seed<S>_rand_<N>';

function shapeOf(index: Index, key: string): number[] {
  const e = index[key];
  if (!e || !Array.isArray(e.shape)) throw new Error(`golden torch_rng: ${key} has no shape in index.json`);
  if (e.dtype !== 'float32') throw new Error(`golden torch_rng: ${key} must be float32, got ${e.dtype}`);
  return e.shape;
}

/** The recipe of one stream key; throws for a key outside the documented naming pattern. */
export function torchRngRecipe(index: Index, key: string): TorchRngRecipe {
  const m = /^seed(-?\d+)_(ss_noise|then_slat_noise_\d+|small_\d+|rand_\d+)$/.exec(key);
  if (!m) throw new Error(`golden torch_rng: unknown stream ${key}; expected one of ${STREAM_PATTERNS}`);
  const seed = BigInt(m[1]);
  const kind = m[2];
  const shape = shapeOf(index, key);
  if (kind.startsWith('then_slat_noise_')) {
    // Same generator, continued after the stage-1 draw of the same seed.
    return { seed, draw: 'randn', shape, before: [shapeOf(index, `seed${m[1]}_ss_noise`)] };
  }
  return { seed, draw: kind.startsWith('rand_') ? 'rand' : 'randn', shape, before: [] };
}

/** Stream keys of a torch_rng index (every entry with a file). */
export function torchRngKeys(index: Index): string[] {
  return Object.keys(index).filter((k) => k !== '_info' && index[k] && typeof index[k].file === 'string');
}

export function replayTorchRng(recipe: TorchRngRecipe): Float32Array {
  const g = new TorchGenerator(recipe.seed);
  for (const shape of recipe.before) g.randn(shape);
  return recipe.draw === 'rand' ? g.rand(recipe.shape) : g.randn(recipe.shape);
}

export async function verifyTorchRng(goldenDir: string): Promise<VerifyRow[]> {
  setGoldenRoot(goldenDir);
  const index = readIndex(RNG_CASE);
  return torchRngKeys(index).map((key) => {
    const ours = replayTorchRng(torchRngRecipe(index, key));
    const ref = readTensor(RNG_CASE, key).data as Float32Array;
    const { maxAbs, rmsRef } = ours.length === ref.length ? compare(ours, ref) : { maxAbs: Infinity, rmsRef: NaN };
    return { case: RNG_CASE, tensor: key, maxAbs, rmsRef, tol: 0, pass: maxAbs === 0 };
  });
}

// ---------------------------------------------------------------- sampler

export interface SamplerRun {
  name: string; // "run0"
  params: SamplerParams;
}

/** runN entries from `_info.runN_params` (reference names: steps, cfg_strength, cfg_interval, rescale_t). */
export function samplerRuns(index: Index): SamplerRun[] {
  const info = index._info;
  if (!info || typeof info !== 'object') throw new Error('golden sampler: index.json has no _info with run parameters');
  const runs: SamplerRun[] = [];
  for (const key of Object.keys(info)) {
    const m = /^(run\d+)_params$/.exec(key);
    if (!m) continue;
    const p = info[key];
    for (const field of ['steps', 'cfg_strength', 'cfg_interval', 'rescale_t']) {
      if (p?.[field] === undefined) throw new Error(`golden sampler: _info.${key} lacks ${field}`);
    }
    runs.push({
      name: m[1],
      params: {
        steps: p.steps,
        cfgStrength: p.cfg_strength,
        cfgInterval: [p.cfg_interval[0], p.cfg_interval[1]],
        rescaleT: p.rescale_t,
        sigmaMin: p.sigma_min ?? DEFAULT_SIGMA_MIN,
      },
    });
  }
  if (runs.length === 0) throw new Error('golden sampler: _info has no runN_params');
  return runs.sort((a, b) => Number(a.name.slice(3)) - Number(b.name.slice(3)));
}

export interface SamplerRunOutput {
  samples: Float32Array;
  trace: SampleTrace;
  calls: FakeModelCall[];
}

/** Runs one golden sampler run with the golden fake model (cond [1, ...], neg = zeros). */
export async function runGoldenSampler(noise: Float32Array, cond: Float32Array, params: SamplerParams): Promise<SamplerRunOutput> {
  const calls: FakeModelCall[] = [];
  const res = await sampleFlowEuler(noise, goldenFakeModel(cond, 1, calls), params, { trace: true });
  return { samples: res.samples, trace: res.trace!, calls };
}

function concat(parts: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function row(tensor: string, ours: ArrayLike<number>, ref: ArrayLike<number>, tol: number): VerifyRow {
  if (ours.length !== ref.length) return { case: SAMPLER_CASE, tensor, maxAbs: Infinity, rmsRef: NaN, tol, pass: false };
  const { maxAbs, rmsRef } = compare(ours, ref);
  return { case: SAMPLER_CASE, tensor, maxAbs, rmsRef, tol, pass: maxAbs <= tol * Math.max(1, rmsRef) };
}

export async function verifySampler(goldenDir: string): Promise<VerifyRow[]> {
  setGoldenRoot(goldenDir);
  const index = readIndex(SAMPLER_CASE);
  const noise = readTensor(SAMPLER_CASE, 'noise').data as Float32Array;
  const cond = readTensor(SAMPLER_CASE, 'cond').data as Float32Array;
  const rows: VerifyRow[] = [];
  for (const { name, params } of samplerRuns(index)) {
    const out = await runGoldenSampler(noise, cond, params);
    // model_calls is [calls, 2] = (t·1000, cond mean): the timestep must be the same float32
    // exactly; the mean is compared on its own so the large t column does not widen its tolerance.
    const calls = readTensor(SAMPLER_CASE, `${name}_model_calls`).data as Float32Array;
    const column = (c: number): number[] => Array.from({ length: calls.length / 2 }, (_, i) => calls[2 * i + c]);
    rows.push(row(`${name}_model_calls[t1000]`, out.calls.map((c) => c.t1000), column(0), 0));
    rows.push(row(`${name}_model_calls[cond_mean]`, out.calls.map((c) => c.condMean), column(1), SAMPLER_TOL));
    rows.push(row(`${name}_t_pairs`, concat(out.trace.tPairs), readTensor(SAMPLER_CASE, `${name}_t_pairs`).data as Float64Array, 0));
    rows.push(row(`${name}_x_steps`, concat(out.trace.xSteps), readTensor(SAMPLER_CASE, `${name}_x_steps`).data as Float32Array, SAMPLER_TOL));
    rows.push(row(`${name}_pred_x0_steps`, concat(out.trace.predX0Steps), readTensor(SAMPLER_CASE, `${name}_pred_x0_steps`).data as Float32Array, SAMPLER_TOL));
    rows.push(row(`${name}_samples`, out.samples, readTensor(SAMPLER_CASE, `${name}_samples`).data as Float32Array, SAMPLER_TOL));
  }
  return rows;
}
