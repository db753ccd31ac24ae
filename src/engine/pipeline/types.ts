// Boundary types of the pipeline core. The core never sees ORT: it talks to a ComponentRunner per
// network (an ORT session in the engine, anything with the same I/O in tests).
import type { ComponentName, TensorSpec } from '../../models/manifest.ts';
import type { ProgressCallback } from '../protocol.ts';
import type { SamplerParams, MultiImageAlgo } from '../sampler/index.ts';

export type HostDtype = 'float32' | 'int32' | 'int64' | 'uint8' | 'bool';
export type HostArray = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** A tensor in host memory, row-major. */
export interface HostTensor {
  dtype: HostDtype;
  dims: number[];
  data: HostArray;
}

/**
 * A tensor uploaded once and fed to many runs (cond, index maps). Under WebGPU it lives in a GPU
 * buffer; under WASM it wraps the host data. Must be released by whoever pinned it.
 */
export interface PinnedTensor {
  readonly kind: 'pinned';
  readonly dtype: HostDtype;
  readonly dims: readonly number[];
  release(): void;
}

export type FeedValue = HostTensor | PinnedTensor;

export function isPinned(v: FeedValue): v is PinnedTensor {
  return (v as PinnedTensor).kind === 'pinned';
}

/** The graph's declared I/O (manifest `inputs` / `outputs`). */
export interface ComponentIO {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** One network, ready to run. */
export interface ComponentRunner {
  readonly name: ComponentName;
  readonly io: ComponentIO;
  /** Runs with exactly the graph's inputs; returns the requested outputs (all when omitted) on the host. */
  run(feeds: Record<string, FeedValue>, outputs?: string[]): Promise<Record<string, HostTensor>>;
  pin(tensor: HostTensor): Promise<PinnedTensor>;
}

/** Name of the graph of a single-graph component. */
export const MAIN_GRAPH = 'main';

/**
 * Where the pipeline gets runners from; owns creation and release of sessions. A component is
 * one graph ('main') or several named graphs (the mesh decoder: 'head', 'stats', 'tail').
 */
export interface ComponentProvider {
  has(name: ComponentName): boolean;
  /** The component's manifest config (the reference constructor args). */
  config(name: ComponentName): Record<string, unknown>;
  /** Graph names of the component. */
  graphs(name: ComponentName): string[];
  io(name: ComponentName, graph?: string): ComponentIO;
  get(name: ComponentName, graph?: string): Promise<ComponentRunner>;
  /** This generation no longer needs `name` (all its graphs); the provider may release it (release policy). */
  done(name: ComponentName): Promise<void>;
}

/** Conditioning tokens of K images: [K, L, C]. */
export interface CondTensor {
  data: Float32Array;
  dims: [number, number, number];
}

export interface SlatNormalization {
  mean: number[];
  std: number[];
}

export interface PipelineRequest {
  cond: CondTensor;
  seed: number;
  ss: SamplerParams;
  slat: SamplerParams;
  /** Used only when cond holds more than one image. */
  multiimageAlgo: MultiImageAlgo;
  normalization: SlatNormalization;
  decoders: { mesh: boolean; gaussians: boolean };
  /**
   * Evaluate the CFG (cond, neg) pair as one batch-2 model call. Same maths; costs twice the
   * activation memory of one call.
   */
  batchCfgPair?: boolean;
  /** Level-1 parents per mesh-decoder tail chunk (default from the chunk byte budget). */
  meshChunkParents?: number;
  /**
   * Called once the voxel count is known (after the structure decoder), before stage 2: throws
   * (OUT_OF_MEMORY) when what follows cannot fit the device, so a generation that cannot finish
   * stops here with the reason instead of failing minutes later inside a session.
   */
  checkMemory?: (voxels: number) => void;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** performance.now() origin of the generation, for `elapsed` in progress events. */
  startedAt?: number;
}

export interface SparseLatent {
  coords: Int32Array;
  count: number;
  /** De-normalised [count, channels]. */
  feats: Float32Array;
  channels: number;
}
