// Types that cross the worker boundary (engine <-> main thread). Everything here must be
// structured-cloneable; large arrays travel as transferables.

/** Stages reported in progress events, in pipeline order. */
export type Stage =
  | 'download'
  | 'load'
  | 'preprocess'
  | 'background_removal'
  | 'conditioning'
  | 'sparse_structure'
  | 'sparse_decode'
  | 'structured_latent'
  | 'mesh_decode'
  | 'gaussian_decode'
  | 'geometry'
  | 'simplify'
  | 'uv_unwrap'
  | 'texture'
  | 'export';

export interface ProgressEvent {
  stage: Stage;
  /** 1-based step within the stage, when the stage has steps (sampler steps, files). */
  step?: number;
  steps?: number;
  /** Bytes (downloads) or items done / total. */
  loaded?: number;
  total?: number;
  /** Seconds since the generation (or load) started. */
  elapsed?: number;
  message?: string;
}

export type ProgressCallback = (event: ProgressEvent) => void;

/** Error codes the UI reacts to. */
export type EngineErrorCode =
  | 'WEBGPU_UNAVAILABLE'
  | 'MODEL_MISSING'
  | 'MODEL_CORRUPT'
  | 'OUT_OF_MEMORY'
  | 'DEVICE_LOST'
  | 'BAD_IMAGE'
  | 'NO_FOREGROUND'
  | 'NO_BACKGROUND_MODEL'
  | 'BAD_REQUEST'
  | 'CANCELLED'
  | 'INTERNAL';

/** Serialised form of an engine error (what crosses postMessage). */
export interface SerializedEngineError {
  name: 'EngineError';
  code: EngineErrorCode;
  message: string;
  detail?: unknown;
}

/**
 * Sparse voxel features at some resolution: the mesh decoder's output (resolution 256,
 * 101 channels) or the Gaussian decoder's (resolution 64, 448 channels).
 * coords is [count, 4] = (batch, x, y, z) row-major int32; feats is [count, channels].
 */
export interface VoxelFeatures {
  resolution: number;
  count: number;
  channels: number;
  coords: Int32Array;
  feats: Float32Array;
}

/** What the worker returns for one generation; the main thread turns it into a GLB. */
export interface EngineOutput {
  mesh: VoxelFeatures;
  gaussians?: VoxelFeatures;
  seed: number;
  /** seconds per engine stage, e.g. { preprocess, sparse_structure, structured_latent, decode } */
  timings: Record<string, number>;
  backend: 'webgpu' | 'wasm' | 'node';
}
