// The contract between the main thread and the pipeline worker, and the transport-agnostic
// implementation that wraps an Engine. workers/pipeline.worker.ts exposes it with Comlink;
// tests and Node callers can use it in-process.
import { resolveImageLimits } from './pipeline/image-fetch.ts';
import { safeProgress } from './safe-progress.ts';
import { EngineError, toEngineError } from './errors.ts';
import type {
  Capabilities,
  EngineOutput,
  EngineRequest,
  LoadInfo,
  LoadOptions,
  ProgressCallback,
  ProgressEvent,
  VoxelFeatures,
} from './protocol.ts';
import { loadManifest, ManifestError, type FetchLike, type ManifestV1 } from '../models/manifest.ts';

/**
 * An inference engine (implemented in src/engine by the pipeline). It is created for one device
 * choice and loads one model set; the worker recreates it when either changes.
 */
export interface Engine {
  load(manifestUrl: string, onProgress?: ProgressCallback): Promise<LoadInfo>;
  /** Must check `signal` between model calls and then throw EngineError('CANCELLED'). */
  generate(request: EngineRequest, onProgress: ProgressCallback | undefined, signal: AbortSignal): Promise<EngineOutput>;
  dispose(): Promise<void>;
}

/**
 * device and wasmPaths come from the client. The worker entry has already set
 * onnxruntime-web/webgpu's env.wasm.wasmPaths from wasmPaths; an engine using another ORT entry
 * (or transformers.js's own ORT env) must apply it there too.
 */
export interface EngineFactoryOptions extends LoadOptions {
  /** The already validated manifest at manifestUrl (the engine may re-read it). */
  manifest: ManifestV1;
}

export type EngineFactory = (options: EngineFactoryOptions) => Promise<Engine>;

/** What src/engine/index.ts must export for the worker to pick the engine up. */
export interface EngineModule {
  createEngine: EngineFactory;
}

/** The worker's remote surface. Callbacks must be Comlink.proxy'd when called across the boundary. */
export interface WorkerApi {
  ping(): Promise<'pong'>;
  capabilities(): Promise<Capabilities>;
  load(manifestUrl: string, onProgress?: ProgressCallback, options?: LoadOptions): Promise<LoadInfo>;
  generate(request: EngineRequest, onProgress?: ProgressCallback): Promise<EngineOutput>;
  /** Aborts the running generation, if any; resolves true when one was running. */
  cancel(): Promise<boolean>;
  dispose(): Promise<void>;
}

export interface WorkerApiDeps {
  /** GPU/context probe; the worker passes one that looks at navigator.gpu. */
  capabilities: () => Promise<Omit<Capabilities, 'engineAvailable'>>;
  fetch?: FetchLike;
}

function checkVoxels(name: string, v: VoxelFeatures | undefined): void {
  if (!v) return;
  if (!(v.coords instanceof Int32Array) || v.coords.length !== v.count * 4) {
    throw new EngineError('INTERNAL', `engine output ${name}.coords must be an Int32Array of count*4 = ${v.count * 4} values, got ${v.coords?.length}`);
  }
  if (!(v.feats instanceof Float32Array) || v.feats.length !== v.count * v.channels) {
    throw new EngineError('INTERNAL', `engine output ${name}.feats must be a Float32Array of count*channels = ${v.count * v.channels} values, got ${v.feats?.length}`);
  }
}

/** The buffers of an engine output, for zero-copy transfer to the main thread. */
export function outputTransferables(output: EngineOutput): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const v of [output.mesh, output.gaussians]) {
    if (!v) continue;
    for (const a of [v.coords, v.feats]) if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  }
  return [...buffers];
}

function manifestError(error: ManifestError): EngineError {
  if (error.kind === 'not_found') return new EngineError('MODEL_MISSING', error.message, { cause: error });
  return new EngineError('MODEL_CORRUPT', error.message, { detail: error.issues, cause: error });
}

export function createWorkerApi(engineFactory: EngineFactory | null, deps: WorkerApiDeps): WorkerApi {
  let engine: Engine | null = null;
  let loadedKey: string | null = null;
  let loadedInfo: LoadInfo | null = null;
  let running: AbortController | null = null;

  async function disposeEngine(): Promise<void> {
    const current = engine;
    engine = null;
    loadedKey = null;
    loadedInfo = null;
    if (current) await current.dispose();
  }

  async function load(manifestUrl: string, onProgress?: ProgressCallback, options: LoadOptions = { device: 'auto' }): Promise<LoadInfo> {
    try {
      if (running) throw new EngineError('BAD_REQUEST', 'cannot load a model while a generation is running');
      try {
        new URL(manifestUrl);
      } catch {
        throw new EngineError('BAD_REQUEST', `manifest URL must be absolute (the worker cannot resolve relative URLs), got ${JSON.stringify(manifestUrl)}`);
      }
      if (!['auto', 'webgpu', 'wasm'].includes(options.device)) {
        throw new EngineError('BAD_REQUEST', `device must be "auto", "webgpu" or "wasm", got ${JSON.stringify(options.device)}`);
      }
      // Checked here so a bad limit is BAD_REQUEST at load, not a failure in the first generation.
      const imageLimits = resolveImageLimits(options.imageLimits);
      options = { ...options, imageLimits };
      const key = JSON.stringify([manifestUrl, options.device, options.wasmPaths ?? null, imageLimits]);
      if (engine && loadedKey === key && loadedInfo) return loadedInfo;
      let manifest: ManifestV1;
      try {
        manifest = await loadManifest(manifestUrl, deps.fetch);
      } catch (error) {
        throw error instanceof ManifestError ? manifestError(error) : error;
      }
      if (options.device === 'webgpu') {
        const caps = await deps.capabilities();
        if (!caps.adapter) {
          throw new EngineError(
            'WEBGPU_UNAVAILABLE',
            caps.webgpuApi
              ? `WebGPU is exposed but no adapter is available${caps.adapterError ? ` (${caps.adapterError})` : ''}`
              : 'this browser does not expose WebGPU (navigator.gpu is missing)',
          );
        }
      }
      if (!engineFactory) {
        throw new EngineError(
          'MODEL_MISSING',
          `the manifest ${manifestUrl} is valid, but this build contains no inference engine (src/engine/index.ts), so the model cannot be run`,
        );
      }
      await disposeEngine();
      const created = await engineFactory({ ...options, manifest });
      try {
        const info = await created.load(manifestUrl, safeProgress(onProgress));
        engine = created;
        loadedKey = key;
        loadedInfo = info;
        return info;
      } catch (error) {
        await created.dispose().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      throw toEngineError(error);
    }
  }

  async function generate(request: EngineRequest, onProgress?: ProgressCallback): Promise<EngineOutput> {
    try {
      if (!engine) throw new EngineError('MODEL_MISSING', 'no model is loaded: call load(manifestUrl) first');
      if (running) throw new EngineError('BAD_REQUEST', 'a generation is already running in this worker; requests must run one at a time');
      const controller = new AbortController();
      running = controller;
      try {
        const output = await engine.generate(request, safeProgress(onProgress), controller.signal);
        if (controller.signal.aborted) throw new EngineError('CANCELLED', 'generation cancelled');
        checkVoxels('mesh', output.mesh);
        checkVoxels('gaussians', output.gaussians);
        return output;
      } catch (error) {
        if (controller.signal.aborted) throw new EngineError('CANCELLED', 'generation cancelled', { cause: error });
        throw error;
      } finally {
        running = null;
      }
    } catch (error) {
      throw toEngineError(error);
    }
  }

  return {
    async ping() {
      return 'pong';
    },
    async capabilities() {
      return { ...(await deps.capabilities()), engineAvailable: engineFactory !== null };
    },
    load,
    generate,
    async cancel() {
      if (!running) return false;
      running.abort(new EngineError('CANCELLED', 'generation cancelled'));
      return true;
    },
    async dispose() {
      running?.abort(new EngineError('CANCELLED', 'worker disposed'));
      await disposeEngine();
    },
  };
}
