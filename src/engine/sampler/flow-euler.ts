// FlowEulerGuidanceIntervalSampler.sample of the reference: Euler steps of the rectified flow
// x ← x − (t − t_prev)·v̂ over the rescaled time grid, in float32 like torch.
import { makeStepVelocity } from './guided-velocity.ts';
import { timePairs } from './schedule.ts';
import { scale, subtractScaled } from './float32-ops.ts';
import type { SampleOptions, SampleResult, SampleTrace, SamplerParams, VelocityFn } from './types.ts';

function validateParams(p: SamplerParams): void {
  if (!Number.isInteger(p.steps) || p.steps < 1) throw new RangeError(`sampler steps must be an integer >= 1, got ${p.steps}`);
  if (!Number.isFinite(p.cfgStrength)) throw new RangeError(`sampler cfgStrength must be finite, got ${p.cfgStrength}`);
  if (!Array.isArray(p.cfgInterval) || p.cfgInterval.length !== 2 || !p.cfgInterval.every(Number.isFinite)) {
    throw new RangeError(`sampler cfgInterval must be [lo, hi] with finite numbers, got ${JSON.stringify(p.cfgInterval)}`);
  }
  if (!(Number.isFinite(p.rescaleT) && p.rescaleT > 0)) throw new RangeError(`sampler rescaleT must be > 0, got ${p.rescaleT}`);
  if (!(Number.isFinite(p.sigmaMin) && p.sigmaMin >= 0 && p.sigmaMin < 1)) throw new RangeError(`sampler sigmaMin must be in [0, 1), got ${p.sigmaMin}`);
}

function validateMulti(multi: SampleOptions['multi']): void {
  if (!multi) return;
  if (!Number.isInteger(multi.count) || multi.count < 1) throw new RangeError(`multi.count must be an integer >= 1, got ${multi.count}`);
  if (multi.algo !== 'stochastic' && multi.algo !== 'multidiffusion') {
    throw new RangeError(`multi.algo must be 'stochastic' or 'multidiffusion', got ${JSON.stringify(multi.algo)}`);
  }
}

/** x̂0 = (1 − σ)·x_t − (σ + (1 − σ)·t)·v̂ (recorded only, as ret.pred_x_0). */
export function predictX0(x: Float32Array, v: Float32Array, t: number, sigmaMin: number): Float32Array {
  return subtractScaled(scale(1 - sigmaMin, x), sigmaMin + (1 - sigmaMin) * t, v);
}

/** Samples from `noise` (not modified) and returns the final x (ret.samples). */
export async function sampleFlowEuler(
  noise: Float32Array,
  model: VelocityFn,
  params: SamplerParams,
  opts: SampleOptions = {},
): Promise<SampleResult> {
  validateParams(params);
  validateMulti(opts.multi);
  if (!(noise instanceof Float32Array) || noise.length === 0) throw new RangeError('noise must be a non-empty Float32Array');

  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    opts.onWarning?.(m);
  };
  if (opts.multi?.algo === 'stochastic' && opts.multi.count > params.steps) {
    warn(`number of conditioning images (${opts.multi.count}) is greater than the number of steps (${params.steps}); images beyond the first ${params.steps} are not used`);
  }

  const velocity = makeStepVelocity({ model, pair: opts.pair, params, signal: opts.signal }, opts.multi);
  const pairs = timePairs(params.steps, params.rescaleT);
  const trace: SampleTrace | undefined = opts.trace ? { tPairs: pairs.map(([a, b]) => [a, b]), xSteps: [], predX0Steps: [] } : undefined;

  let x: Float32Array = Float32Array.from(noise);
  for (let i = 0; i < pairs.length; i++) {
    const [t, tPrev] = pairs[i];
    const v = await velocity(x, t, i);
    if (trace) trace.predX0Steps.push(predictX0(x, v, t, params.sigmaMin));
    x = subtractScaled(x, t - tPrev, v);
    if (trace) trace.xSteps.push(x);
    opts.onStep?.(i + 1, pairs.length);
  }
  return trace ? { samples: x, warnings, trace } : { samples: x, warnings };
}
