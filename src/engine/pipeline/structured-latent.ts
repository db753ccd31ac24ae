// Stage 2 (pipeline.md §5): noise [N,C] from the same generator → slat_flow sampling on the
// fixed coords (index maps built once) → de-normalisation feats·std + mean.
import { EngineError } from '../errors.ts';
import type { TorchGenerator } from '../rng/index.ts';
import { sampleFlowEuler } from '../sampler/index.ts';
import { slatFlowIndexInputs } from '../sparse/slat-flow-index.ts';
import { fixedDim, inputSpec, outputSpec } from './component-io.ts';
import { makeFlowVelocity, pinAll } from './flow-velocity.ts';
import type { StageClock } from './progress.ts';
import { multiOption, type SparseStructure } from './sparse-structure.ts';
import type { ComponentProvider, HostTensor, PipelineRequest, SlatNormalization, SparseLatent } from './types.ts';

export async function sampleStructuredLatent(provider: ComponentProvider, req: PipelineRequest, structure: SparseStructure, gen: TorchGenerator, clock: StageClock): Promise<SparseLatent> {
  const io = provider.io('slat_flow');
  const featsSpec = inputSpec('slat_flow', io, 'feats');
  inputSpec('slat_flow', io, 't');
  inputSpec('slat_flow', io, 'cond');
  outputSpec('slat_flow', io, 'v');
  const channels = fixedDim('slat_flow', featsSpec, 1);
  const n = structure.count;
  // torch.randn(N, C): the generator continues after the stage-1 noise.
  const noise = gen.randn([n, channels]);
  const index = slatFlowIndexInputs(structure.coords, n) as Record<string, HostTensor>;
  for (const name of Object.keys(index)) inputSpec('slat_flow', io, name);
  const runner = await provider.get('slat_flow');
  const statics = await pinAll(runner, index);
  try {
    const velocity = await makeFlowVelocity(
      { runner, xName: 'feats', xDims: [n, channels], vName: 'v', statics: statics.feeds, batchPair: false },
      req.cond,
    );
    try {
      const steps = req.slat.steps;
      const result = await sampleFlowEuler(noise, velocity.model, req.slat, {
        multi: multiOption(req),
        signal: req.signal,
        onStep: (step) => clock.report('structured_latent', { step, steps }),
      });
      return { coords: structure.coords, count: n, channels, feats: denormalize(result.samples, channels, req.normalization) };
    } finally {
      velocity.release();
    }
  } finally {
    statics.release();
  }
}

/** slat.feats * std + mean with float32 per-channel tensors, as torch computes it. */
export function denormalize(feats: Float32Array, channels: number, norm: SlatNormalization): Float32Array {
  if (norm.mean.length !== channels || norm.std.length !== channels) {
    throw new EngineError('MODEL_CORRUPT', `slat_normalization has ${norm.mean.length} means and ${norm.std.length} stds, the latent has ${channels} channels`);
  }
  const f = Math.fround;
  const mean = norm.mean.map(f);
  const std = norm.std.map(f);
  const out = new Float32Array(feats.length);
  for (let i = 0; i < feats.length; i++) {
    const c = i % channels;
    out[i] = f(feats[i] * std[c]) + mean[c];
  }
  return out;
}
