// Boundary types of the rectified-flow sampler. The sampler knows nothing about ORT: the engine
// supplies a velocity function that runs the flow network.

/** Which conditioning a model call uses: image `index` of the K conds, or the zero negative. */
export type CondRef = { kind: 'cond'; index: number } | { kind: 'neg' };

/**
 * v(x, t) of the flow network. `t1000` is float32(1000·t), the value the reference feeds the
 * model. The returned array must have x's length; the sampler reads it before the next call.
 */
export type VelocityFn = (x: Float32Array, t1000: number, cond: CondRef) => Promise<Float32Array>;

/**
 * Optional batched evaluation of (cond `condIndex`, neg) at the same x and t. Must return
 * exactly what two VelocityFn calls would: [v(cond_condIndex), v(neg)].
 */
export type VelocityPairFn = (x: Float32Array, t1000: number, condIndex: number) => Promise<[Float32Array, Float32Array]>;

/** FlowEulerGuidanceIntervalSampler parameters (pipeline.json names in comments). */
export interface SamplerParams {
  steps: number; // params.steps
  cfgStrength: number; // params.cfg_strength (w)
  cfgInterval: [number, number]; // params.cfg_interval, both bounds inclusive on t
  rescaleT: number; // params.rescale_t
  sigmaMin: number; // args.sigma_min
}

export type MultiImageAlgo = 'stochastic' | 'multidiffusion';

export interface SampleOptions {
  /** K conditioning images and how they are combined (run_multi_image). Absent: one image. */
  multi?: { algo: MultiImageAlgo; count: number };
  /** Batched cond/neg evaluation, used inside the guidance interval when present. */
  pair?: VelocityPairFn;
  /** Called after each Euler step with (steps done, total steps). */
  onStep?: (step: number, steps: number) => void;
  /** Checked before every model call; an aborted signal ends sampling with an AbortError. */
  signal?: AbortSignal;
  /** Record the per-step states (ret.pred_x_t / ret.pred_x_0 of the reference). */
  trace?: boolean;
  /** Receives warnings the reference prints (e.g. more images than steps in stochastic mode). */
  onWarning?: (message: string) => void;
}

export interface SampleTrace {
  /** (t, t_prev) of each step, float64 as the reference computes them. */
  tPairs: [number, number][];
  /** x after each step. */
  xSteps: Float32Array[];
  /** x_0 predicted at each step from the guided velocity. */
  predX0Steps: Float32Array[];
}

export interface SampleResult {
  samples: Float32Array;
  warnings: string[];
  trace?: SampleTrace;
}
