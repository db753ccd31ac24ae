// Public request/response types of the two fal-compatible endpoints.
import type { ProgressCallback } from '../engine/protocol.ts';

export const ENDPOINT_SINGLE = 'fal-ai/trellis';
export const ENDPOINT_MULTI = 'fal-ai/trellis/multi';
export type EndpointId = typeof ENDPOINT_SINGLE | typeof ENDPOINT_MULTI;

export type TextureSize = 512 | 1024 | 2048;
export type MultiImageAlgo = 'stochastic' | 'multidiffusion';

/** An image input: an http(s)/data:/blob: URL, or (JS API only) the image itself. */
export type ImageInput = string | Blob | ImageBitmap;

/** Parameters shared by both endpoints, as a caller may send them (fal's documented input). */
export interface CommonInput {
  seed?: number;
  ss_guidance_strength?: number;
  ss_sampling_steps?: number;
  slat_guidance_strength?: number;
  slat_sampling_steps?: number;
  mesh_simplify?: number;
  /** fal documents the values as strings ("1024"); fal-js types them as numbers. Both work. */
  texture_size?: TextureSize | `${TextureSize}`;
}

export interface TrellisInput extends CommonInput {
  image_url: ImageInput;
}

export interface TrellisMultiInput extends CommonInput {
  image_urls: ImageInput[];
  multiimage_algo?: MultiImageAlgo;
}

/** Shared parameters after validation: every default filled, seed still optional. */
export interface NormalizedCommon {
  seed?: number;
  ss_guidance_strength: number;
  ss_sampling_steps: number;
  slat_guidance_strength: number;
  slat_sampling_steps: number;
  mesh_simplify: number;
  texture_size: TextureSize;
}

export interface NormalizedTrellisRequest extends NormalizedCommon {
  image_url: ImageInput;
}

export interface NormalizedMultiRequest extends NormalizedCommon {
  image_urls: ImageInput[];
  multiimage_algo: MultiImageAlgo;
}

export type NormalizedRequest = NormalizedTrellisRequest | NormalizedMultiRequest;

export interface InputFor {
  'fal-ai/trellis': TrellisInput;
  'fal-ai/trellis/multi': TrellisMultiInput;
}

export interface NormalizedFor {
  'fal-ai/trellis': NormalizedTrellisRequest;
  'fal-ai/trellis/multi': NormalizedMultiRequest;
}

/** One problem in fal's 422 shape (pydantic v2 error entries). */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
  ctx?: Record<string, unknown>;
}

/** fal's File output. file_data is only filled by this in-browser implementation. */
export interface ModelMeshFile {
  url: string;
  content_type: 'model/gltf-binary';
  file_name: string;
  file_size: number;
  file_data?: Blob;
}

/**
 * Seconds per phase: prepare (validation, model load, image hand-off), generation (engine),
 * export (GLB build), plus the engine's own per-stage timings.
 */
export interface Timings {
  prepare: number;
  generation: number;
  export: number;
  [stage: string]: number;
}

export interface TrellisResult {
  model_mesh: ModelMeshFile;
  timings: Timings;
  /** The seed actually used (drawn at random when the request had none). */
  seed: number;
}

export interface GenerateOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /**
   * Use an opaque image as it is (the whole picture is the object) instead of cutting the
   * object out with the model set's background_removal component. Not a fal parameter: a
   * client-side choice, e.g. after a NO_BACKGROUND_MODEL error. Images with transparency are
   * always used as they are.
   */
  useImageAsIs?: boolean;
}
