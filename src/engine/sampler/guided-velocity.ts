// The velocity each Euler step uses, following the reference's _inference_model chain:
// GuidanceIntervalSamplerMixin (CFG inside the interval) over FlowEulerSampler, optionally
// patched by TrellisImageTo3DPipeline.inject_sampler_multi_image (stochastic / multidiffusion).
import { inGuidanceInterval, modelTimestep } from './schedule.ts';
import { addInPlace, divideInPlace, scale, subtractScaled } from './float32-ops.ts';
import type { CondRef, MultiImageAlgo, SamplerParams, VelocityFn, VelocityPairFn } from './types.ts';

const NEG: CondRef = { kind: 'neg' };

export interface VelocityContext {
  model: VelocityFn;
  pair?: VelocityPairFn;
  params: SamplerParams;
  signal?: AbortSignal;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('sampling was cancelled', 'AbortError');
}

async function call(ctx: VelocityContext, x: Float32Array, t1000: number, cond: CondRef): Promise<Float32Array> {
  throwIfAborted(ctx.signal);
  const v = await ctx.model(x, t1000, cond);
  checkLength(v, x, cond.kind === 'neg' ? 'neg' : `cond ${cond.index}`);
  return v;
}

async function callPair(ctx: VelocityContext, pair: VelocityPairFn, x: Float32Array, t1000: number, index: number): Promise<[Float32Array, Float32Array]> {
  throwIfAborted(ctx.signal);
  const result = await pair(x, t1000, index);
  if (!Array.isArray(result) || result.length !== 2) throw new Error(`pair velocity for cond ${index} must return [v_cond, v_neg]`);
  checkLength(result[0], x, `pair cond ${index}`);
  checkLength(result[1], x, `pair neg (cond ${index})`);
  return result;
}

function checkLength(v: Float32Array, x: Float32Array, what: string): void {
  if (!(v instanceof Float32Array) || v.length !== x.length) {
    throw new Error(`velocity model (${what}) returned ${v instanceof Float32Array ? `${v.length} values` : typeof v}; expected a Float32Array of ${x.length}`);
  }
}

/** (1 + w)·v_cond − w·v_neg, as torch evaluates it in float32. */
function cfgCombine(w: number, vCond: Float32Array, vNeg: Float32Array): Float32Array {
  return subtractScaled(scale(1 + w, vCond), w, vNeg);
}

/** One conditioning image through the guidance-interval logic (the unpatched sampler). */
async function singleCondVelocity(ctx: VelocityContext, x: Float32Array, t: number, index: number): Promise<Float32Array> {
  const t1000 = modelTimestep(t);
  const { cfgStrength, cfgInterval } = ctx.params;
  if (!inGuidanceInterval(t, cfgInterval)) return call(ctx, x, t1000, { kind: 'cond', index });
  if (ctx.pair) {
    const [vCond, vNeg] = await callPair(ctx, ctx.pair, x, t1000, index);
    return cfgCombine(cfgStrength, vCond, vNeg);
  }
  const vCond = await call(ctx, x, t1000, { kind: 'cond', index });
  // Combine the cond part before the next call so a model that reuses its output buffer is safe.
  const scaledCond = scale(1 + cfgStrength, vCond);
  const vNeg = await call(ctx, x, t1000, NEG);
  return subtractScaled(scaledCond, cfgStrength, vNeg);
}

/** Multidiffusion: mean over the K conds (summed left to right, then /K), CFG inside the interval. */
async function multidiffusionVelocity(ctx: VelocityContext, x: Float32Array, t: number, count: number): Promise<Float32Array> {
  const t1000 = modelTimestep(t);
  const { cfgStrength, cfgInterval } = ctx.params;
  const guided = inGuidanceInterval(t, cfgInterval);
  const mean = new Float32Array(x.length); // sum() starts from 0
  let vNeg: Float32Array | undefined;
  for (let k = 0; k < count; k++) {
    if (guided && ctx.pair && k === count - 1) {
      const [vCond, neg] = await callPair(ctx, ctx.pair, x, t1000, k);
      addInPlace(mean, vCond);
      vNeg = neg;
    } else {
      addInPlace(mean, await call(ctx, x, t1000, { kind: 'cond', index: k }));
    }
  }
  divideInPlace(mean, count);
  if (!guided) return mean;
  vNeg ??= await call(ctx, x, t1000, NEG);
  return cfgCombine(cfgStrength, mean, vNeg);
}

/** Chooses the velocity for each step; stochastic mode pops one image index per step. */
export function makeStepVelocity(
  ctx: VelocityContext,
  multi: { algo: MultiImageAlgo; count: number } | undefined,
): (x: Float32Array, t: number, stepIndex: number) => Promise<Float32Array> {
  if (!multi) return (x, t) => singleCondVelocity(ctx, x, t, 0);
  const { algo, count } = multi;
  if (algo === 'stochastic') {
    // cond_indices = arange(steps) % K, one popped per step; each stage restarts at image 0.
    return (x, t, stepIndex) => singleCondVelocity(ctx, x, t, stepIndex % count);
  }
  if (algo === 'multidiffusion') return (x, t) => multidiffusionVelocity(ctx, x, t, count);
  throw new Error(`multi.algo must be 'stochastic' or 'multidiffusion', got ${JSON.stringify(algo)}`);
}
