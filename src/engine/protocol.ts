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

/** Backend preference of a client: 'auto' tries WebGPU and falls back to WASM explicitly. */
export type DevicePreference = 'auto' | 'webgpu' | 'wasm';

/** An image as the worker receives it: decoded bitmap, encoded bytes, or an http(s)/data/blob URL. */
export type ImageSource = ImageBitmap | Blob | string;

/**
 * One generation as the engine sees it: validated, defaults filled, seed resolved.
 * Single-image requests have exactly one image; multiimage_algo is then irrelevant.
 */
export interface EngineRequest {
  images: ImageSource[];
  seed: number;
  ss_guidance_strength: number;
  ss_sampling_steps: number;
  slat_guidance_strength: number;
  slat_sampling_steps: number;
  multiimage_algo: 'stochastic' | 'multidiffusion';
  /** Post-processing parameters, passed so the engine can decide which decoders to run. */
  mesh_simplify: number;
  texture_size: 512 | 1024 | 2048;
  /**
   * Opaque images normally need background removal (NO_BACKGROUND_MODEL without a background
   * model); true uses the whole opaque image as the foreground instead.
   */
  use_image_as_is?: boolean;
}

/** Options for loading a model set into the worker. */
export interface LoadOptions {
  device: DevicePreference;
  /** Absolute URL of the folder holding onnxruntime-web's wasm files (see notes-env). */
  wasmPaths?: string;
  /** Deadline and byte cap for image URLs (defaults: DEFAULT_IMAGE_LIMITS, 30 s and 32 MB). */
  imageLimits?: { fetchTimeoutMs?: number; maxImageBytes?: number };
}

/** What a successful load reports. */
export interface LoadInfo {
  manifestUrl: string;
  id: string;
  name: string;
  dtype: 'fp32' | 'fp16';
  backend: 'webgpu' | 'wasm' | 'node';
  components: string[];
  /** Total bytes of all model files named by the manifest. */
  bytes: number;
}

/** GPU adapter facts as seen from inside the worker. */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  features: string[];
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface Capabilities {
  /** navigator.gpu exists in this context. */
  webgpuApi: boolean;
  /** requestAdapter() returned an adapter (null otherwise). */
  adapter: GpuAdapterSummary | null;
  /** Why there is no adapter, when there is none. */
  adapterError?: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** Whether an inference engine is part of this build. */
  engineAvailable: boolean;
}
