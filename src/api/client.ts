// The JS client: validate a fal-style request, run the engine (a worker, or any injected runner
// with the same WorkerApi), turn the engine output into a GLB, and answer in fal's output shape.
import { EngineError, toEngineError } from '../engine/errors.ts';
import type {
  Capabilities,
  DevicePreference,
  EngineOutput,
  EngineRequest,
  LoadInfo,
  ProgressCallback,
} from '../engine/protocol.ts';
import type { WorkerApi } from '../engine/worker-api.ts';
import { resolveImageLimits, type ImageLimits } from '../engine/pipeline/image-fetch.ts';
import { safeProgress } from '../engine/safe-progress.ts';
import { loadDefaultGlbBuilder, type GlbBuilder } from './glb-builder.ts';
import { assertEndpointId, randomSeed, validateInput } from './schema.ts';
import {
  ENDPOINT_MULTI,
  ENDPOINT_SINGLE,
  type EndpointId,
  type GenerateOptions,
  type InputFor,
  type NormalizedRequest,
  type TrellisInput,
  type TrellisMultiInput,
  type TrellisResult,
} from './types.ts';

export const DEFAULT_MODELS_URL = './models/trellis-image-large/';

export interface TrellisClientOptions {
  /** Model folder (holding manifest.json) or the manifest's own URL; relative to baseUrl. */
  modelsUrl?: string;
  device?: DevicePreference;
  /** The engine runner; default: the pipeline Web Worker (browser only). */
  runner?: WorkerApi | (() => WorkerApi | Promise<WorkerApi>);
  /** Engine output -> GLB; default: src/geometry's buildGlb, loaded on first use. */
  buildGlb?: GlbBuilder;
  /** Absolute URL of onnxruntime-web's wasm folder; default: ./ort/ next to the page. */
  wasmPaths?: string;
  /** Base for relative URLs; default: the page's location. */
  baseUrl?: string;
  /** Deadline and byte cap for image URLs; default 30 s and 32 MB (see README "Limits"). */
  imageLimits?: Partial<ImageLimits>;
}

export interface TrellisClient {
  readonly manifestUrl: string;
  readonly device: DevicePreference;
  capabilities(): Promise<Capabilities>;
  /** Loads the model set (done automatically by the first generate). */
  load(options?: { onProgress?: ProgressCallback }): Promise<LoadInfo>;
  generate(input: TrellisInput, options?: GenerateOptions): Promise<TrellisResult>;
  generateMulti(input: TrellisMultiInput, options?: GenerateOptions): Promise<TrellisResult>;
  /** generate or generateMulti by fal endpoint id. */
  run<E extends EndpointId>(endpoint: E, input: InputFor[E], options?: GenerateOptions): Promise<TrellisResult>;
  /**
   * Revokes the result's blob: URL (model_mesh.url) so the GLB can be garbage-collected once the
   * caller drops file_data too. dispose() revokes every URL this client made that is still live.
   */
  release(result: TrellisResult): void;
  dispose(): Promise<void>;
}

function pageUrl(): string | undefined {
  return typeof location === 'undefined' ? undefined : location.href;
}

/** The manifest URL for a model folder or manifest URL, made absolute (the worker cannot resolve relative URLs). */
export function resolveManifestUrl(modelsUrl: string, baseUrl: string | undefined): string {
  let url: URL;
  try {
    url = baseUrl ? new URL(modelsUrl, baseUrl) : new URL(modelsUrl);
  } catch {
    throw new EngineError('BAD_REQUEST', `modelsUrl ${JSON.stringify(modelsUrl)} is not a valid URL${baseUrl ? '' : ' (no page location to resolve it against: pass an absolute URL or baseUrl)'}`);
  }
  if (url.pathname.endsWith('.json')) return url.href;
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return new URL('manifest.json', url).href;
}

/** The engine's request: the validated fal input plus client-side options. */
export function toEngineRequest(request: NormalizedRequest, seed: number, opts: Pick<GenerateOptions, 'useImageAsIs'> = {}): EngineRequest {
  if (opts.useImageAsIs !== undefined && typeof opts.useImageAsIs !== 'boolean') {
    throw new EngineError('BAD_REQUEST', `useImageAsIs must be true or false, got ${JSON.stringify(opts.useImageAsIs)}`);
  }
  const multi = 'image_urls' in request;
  return {
    images: multi ? request.image_urls : [request.image_url],
    seed,
    ss_guidance_strength: request.ss_guidance_strength,
    ss_sampling_steps: request.ss_sampling_steps,
    slat_guidance_strength: request.slat_guidance_strength,
    slat_sampling_steps: request.slat_sampling_steps,
    multiimage_algo: multi ? request.multiimage_algo : 'stochastic',
    mesh_simplify: request.mesh_simplify,
    texture_size: request.texture_size,
    ...(opts.useImageAsIs !== undefined ? { use_image_as_is: opts.useImageAsIs } : {}),
  };
}

const seconds = (fromMs: number): number => Math.round(performance.now() - fromMs) / 1000;

function cancelled(): EngineError {
  return new EngineError('CANCELLED', 'generation cancelled');
}

/** Options come from JavaScript callers too: a wrong type is named here instead of failing deep inside. */
function checkGenerateOptions(opts: unknown): asserts opts is GenerateOptions {
  if (opts === null || typeof opts !== 'object') throw new EngineError('BAD_REQUEST', `generate options must be an object { onProgress?, signal?, useImageAsIs? }, got ${opts === null ? 'null' : typeof opts}`);
  const o = opts as Record<string, unknown>;
  if (o.signal !== undefined && !(typeof AbortSignal !== 'undefined' && o.signal instanceof AbortSignal)) {
    throw new EngineError('BAD_REQUEST', `options.signal must be an AbortSignal (new AbortController().signal), got ${o.signal === null ? 'null' : typeof o.signal}`);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new EngineError('BAD_REQUEST', `options.onProgress must be a function (event) => void, got ${o.onProgress === null ? 'null' : typeof o.onProgress}`);
  }
}

export function createTrellis(options: TrellisClientOptions = {}): TrellisClient {
  const baseUrl = options.baseUrl ?? pageUrl();
  const manifestUrl = resolveManifestUrl(options.modelsUrl ?? DEFAULT_MODELS_URL, baseUrl);
  const device = options.device ?? 'auto';
  if (!['auto', 'webgpu', 'wasm'].includes(device)) {
    throw new EngineError('BAD_REQUEST', `device must be "auto", "webgpu" or "wasm", got ${JSON.stringify(device)}`);
  }
  const wasmPaths = options.wasmPaths ?? (baseUrl ? new URL('./ort/', baseUrl).href : undefined);
  const imageLimits = resolveImageLimits(options.imageLimits);
  /** blob: URLs handed out and not yet revoked (release() or dispose()). */
  const liveUrls = new Set<string>();

  let runnerPromise: Promise<WorkerApi> | null = null;
  function runner(): Promise<WorkerApi> {
    runnerPromise ??= (async () => {
      const r = options.runner;
      if (typeof r === 'function') return r();
      if (r) return r;
      const { createWorkerRunner } = await import('./worker-runner.ts');
      return createWorkerRunner();
    })();
    return runnerPromise;
  }

  let glbBuilder: Promise<GlbBuilder> | null = options.buildGlb ? Promise.resolve(options.buildGlb) : null;
  function builder(): Promise<GlbBuilder> {
    glbBuilder ??= loadDefaultGlbBuilder().catch((error) => {
      glbBuilder = null;
      throw error;
    });
    return glbBuilder;
  }

  let loading: Promise<LoadInfo> | null = null;
  function load(loadOptions: { onProgress?: ProgressCallback } = {}): Promise<LoadInfo> {
    loading ??= (async () => {
      const r = await runner();
      return r.load(manifestUrl, safeProgress(loadOptions.onProgress), { device, imageLimits, ...(wasmPaths ? { wasmPaths } : {}) });
    })().catch((error) => {
      loading = null; // a failed load (model missing, GPU lost) may succeed after the user fixes it
      throw toEngineError(error);
    });
    return loading;
  }

  // One generation at a time: the worker holds one engine and one GPU context.
  let tail: Promise<unknown> = Promise.resolve();

  async function runOne(request: NormalizedRequest, opts: GenerateOptions): Promise<TrellisResult> {
    const { signal } = opts;
    // The caller's listener never fails the run (it is also handed to the GLB step below).
    const onProgress = safeProgress(opts.onProgress);
    if (signal?.aborted) throw cancelled();
    const t0 = performance.now();
    const seed = request.seed ?? randomSeed();
    const r = await runner();
    await load({ onProgress });
    if (signal?.aborted) throw cancelled();
    const prepare = seconds(t0);

    const t1 = performance.now();
    const onAbort = () => void r.cancel().catch(() => undefined);
    signal?.addEventListener('abort', onAbort);
    let output: EngineOutput;
    try {
      output = await r.generate(toEngineRequest(request, seed, opts), onProgress);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) throw cancelled();
    const generation = seconds(t1);

    const t2 = performance.now();
    const build = await builder();
    const { glb } = await build(output, {
      meshSimplify: request.mesh_simplify,
      textureSize: request.texture_size,
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
    });
    if (signal?.aborted) throw cancelled();
    const blob = new Blob([glb as Uint8Array<ArrayBuffer>], { type: 'model/gltf-binary' });
    const exportTime = seconds(t2);
    const url = URL.createObjectURL(blob);
    liveUrls.add(url);
    return {
      model_mesh: {
        url,
        content_type: 'model/gltf-binary',
        file_name: `trellis_${seed}.glb`,
        file_size: blob.size,
        file_data: blob,
      },
      timings: { ...output.timings, prepare, generation, export: exportTime },
      seed,
    };
  }

  /** A crashed worker is dropped so the next call starts a fresh one instead of failing forever. */
  async function forgetCrashedRunner(error: unknown): Promise<void> {
    if (!(error instanceof EngineError) || (error.detail as { worker?: string } | undefined)?.worker !== 'crashed' || !runnerPromise) return;
    const dead = runnerPromise;
    runnerPromise = null;
    loading = null;
    await (await dead).dispose().catch(() => undefined);
  }

  function enqueue(request: NormalizedRequest, opts: GenerateOptions): Promise<TrellisResult> {
    const result = tail.then(() => runOne(request, opts));
    tail = result.catch(() => undefined);
    return result.catch(async (error) => {
      await forgetCrashedRunner(error);
      throw toEngineError(error);
    });
  }

  function run<E extends EndpointId>(endpoint: E, input: InputFor[E], opts: GenerateOptions = {}): Promise<TrellisResult> {
    try {
      assertEndpointId(endpoint);
      checkGenerateOptions(opts);
      // Validation errors are thrown as ValidationError (fal's 422), before anything is queued.
      return enqueue(validateInput(endpoint, input), opts);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  return {
    manifestUrl,
    device,
    async capabilities() {
      return (await runner()).capabilities();
    },
    load,
    generate: (input, opts) => run(ENDPOINT_SINGLE, input, opts),
    generateMulti: (input, opts) => run(ENDPOINT_MULTI, input, opts),
    run,
    release(result) {
      const url = result?.model_mesh?.url;
      if (typeof url === 'string' && liveUrls.delete(url)) URL.revokeObjectURL(url);
    },
    async dispose() {
      for (const url of liveUrls) URL.revokeObjectURL(url);
      liveUrls.clear();
      if (!runnerPromise) return;
      const r = await runnerPromise;
      runnerPromise = null;
      loading = null;
      await r.dispose();
    },
  };
}
