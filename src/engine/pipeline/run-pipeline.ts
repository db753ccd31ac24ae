// The TRELLIS sampling pipeline from conditioning tokens to decoder features (pipeline.md §2–§7),
// independent of how the networks run. RNG order: manual_seed(seed) → randn stage-1 noise →
// (no draws) → randn stage-2 noise.
import { EngineError, throwIfCancelled, toEngineError } from '../errors.ts';
import type { VoxelFeatures } from '../protocol.ts';
import { TorchGenerator } from '../rng/index.ts';
import { StageClock } from './progress.ts';
import { decodeGaussians, decodeMesh } from './decoders.ts';
import { decodeSparseStructure, sampleSparseLatent, type SparseStructure } from './sparse-structure.ts';
import { sampleStructuredLatent } from './structured-latent.ts';
import type { ComponentProvider, PipelineRequest, SparseLatent } from './types.ts';

export interface PipelineResult {
  structure: SparseStructure;
  slat: SparseLatent;
  mesh?: VoxelFeatures;
  gaussians?: VoxelFeatures;
  /** Seconds per stage. */
  timings: Record<string, number>;
}

function checkRequest(req: PipelineRequest): void {
  const [K, L, C] = req.cond.dims;
  if (!(K >= 1 && L >= 1 && C >= 1) || req.cond.data.length !== K * L * C) {
    throw new EngineError('BAD_REQUEST', `cond must be [K, L, C] with K, L, C >= 1 and K·L·C values, got dims [${req.cond.dims.join(', ')}] and ${req.cond.data.length} values`);
  }
}

/**
 * Runs stage 1, stage 2 and the requested decoders. Errors are EngineErrors; cancellation (the
 * signal fires) is CANCELLED and takes effect before the next model call. A structure with no
 * occupied voxel is BAD_IMAGE: the reference would fail later on an empty tensor, and the usual
 * cause is an image/seed the model cannot make a shape of.
 */
export async function runPipeline(provider: ComponentProvider, req: PipelineRequest): Promise<PipelineResult> {
  checkRequest(req);
  const clock = new StageClock(req.onProgress, req.startedAt);
  try {
    const gen = new TorchGenerator(req.seed);
    const { z, dims } = await clock.time('sparse_structure', () => sampleSparseLatent(provider, req, gen, clock));
    await provider.done('ss_flow');
    const structure = await clock.time('sparse_decode', () => decodeSparseStructure(provider, z, dims, req.signal));
    await provider.done('ss_decoder');
    if (structure.count === 0) {
      throw new EngineError(
        'BAD_IMAGE',
        `the sparse structure stage found no occupied voxel (all ${structure.resolution}^3 decoder logits <= 0) for seed ${req.seed}; ` +
          'the model made no shape from this image: try another seed or a clearer image of a single object',
      );
    }
    req.checkMemory?.(structure.count);
    throwIfCancelled(req.signal);
    const slat = await clock.time('structured_latent', () => sampleStructuredLatent(provider, req, structure, gen, clock));
    await provider.done('slat_flow');
    const result: PipelineResult = { structure, slat, timings: clock.timings };
    if (req.decoders.mesh) {
      result.mesh = await clock.time('mesh_decode', () => decodeMesh(provider, slat, { signal: req.signal, chunkParents: req.meshChunkParents }));
      await provider.done('slat_decoder_mesh');
    }
    if (req.decoders.gaussians) {
      result.gaussians = await clock.time('gaussian_decode', () => decodeGaussians(provider, slat, req.signal));
      await provider.done('slat_decoder_gs');
    }
    return result;
  } catch (error) {
    if (req.signal?.aborted) throw new EngineError('CANCELLED', 'generation cancelled', { cause: error });
    throw toEngineError(error);
  }
}
