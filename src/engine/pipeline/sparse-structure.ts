// Stage 1 (pipeline.md §4): noise [1,C,R,R,R] → ss_flow sampling → ss_decoder logits →
// coords = argwhere(logits > 0) in (b, x, y, z) order.
import { EngineError, throwIfCancelled } from '../errors.ts';
import type { TorchGenerator } from '../rng/index.ts';
import { sampleFlowEuler } from '../sampler/index.ts';
import { occupancyToCoords } from '../sparse/occupancy.ts';
import { fixedDim, inputSpec, outputSpec } from './component-io.ts';
import { makeFlowVelocity } from './flow-velocity.ts';
import type { StageClock } from './progress.ts';
import type { ComponentProvider, PipelineRequest } from './types.ts';

export interface SparseStructure {
  coords: Int32Array;
  count: number;
  /** Resolution of the occupancy grid (64 for TRELLIS). */
  resolution: number;
}

function multiOption(req: PipelineRequest): { algo: PipelineRequest['multiimageAlgo']; count: number } | undefined {
  const K = req.cond.dims[0];
  return K > 1 ? { algo: req.multiimageAlgo, count: K } : undefined;
}

export { multiOption };

/** Samples z_s with the ss_flow network (noise drawn from `gen`). Returns z_s [1,C,R,R,R]. */
export async function sampleSparseLatent(provider: ComponentProvider, req: PipelineRequest, gen: TorchGenerator, clock: StageClock): Promise<{ z: Float32Array; dims: number[] }> {
  const io = provider.io('ss_flow');
  const xSpec = inputSpec('ss_flow', io, 'x');
  inputSpec('ss_flow', io, 't');
  const condSpec = inputSpec('ss_flow', io, 'cond');
  outputSpec('ss_flow', io, 'v');
  const dims = [1, ...[1, 2, 3, 4].map((a) => fixedDim('ss_flow', xSpec, a))];
  const condC = condSpec.shape[2];
  if (typeof condC === 'number' && condC !== req.cond.dims[2]) {
    throw new EngineError('BAD_REQUEST', `ss_flow expects cond with ${condC} channels, got [${req.cond.dims.join(', ')}]`);
  }
  // torch.randn(num_samples, C, R, R, R) right after manual_seed: the first draw of the stream.
  const noise = gen.randn(dims);
  const runner = await provider.get('ss_flow');
  const velocity = await makeFlowVelocity(
    { runner, xName: 'x', xDims: dims, vName: 'v', statics: {}, batchPair: Boolean(req.batchCfgPair) && typeof xSpec.shape[0] === 'string' },
    req.cond,
  );
  try {
    const steps = req.ss.steps;
    const result = await sampleFlowEuler(noise, velocity.model, req.ss, {
      multi: multiOption(req),
      pair: velocity.pair,
      signal: req.signal,
      onStep: (step) => clock.report('sparse_structure', { step, steps }),
    });
    return { z: result.samples, dims };
  } finally {
    velocity.release();
  }
}

/** ss_decoder on z_s, then argwhere(logits > 0). */
export async function decodeSparseStructure(provider: ComponentProvider, z: Float32Array, dims: number[], signal?: AbortSignal): Promise<SparseStructure> {
  const io = provider.io('ss_decoder');
  if (io.inputs.length !== 1 || io.outputs.length !== 1) {
    throw new EngineError('MODEL_CORRUPT', `ss_decoder: expected one input and one output, the manifest declares ${io.inputs.length} and ${io.outputs.length}`);
  }
  const inName = io.inputs[0].name;
  const outName = io.outputs[0].name;
  throwIfCancelled(signal);
  const runner = await provider.get('ss_decoder');
  const out = await runner.run({ [inName]: { dtype: 'float32', dims, data: z } }, [outName]);
  const logits = out[outName];
  const coords = occupancyToCoords(logits.data as Float32Array, logits.dims);
  return { coords, count: coords.length / 4, resolution: logits.dims[2] };
}
