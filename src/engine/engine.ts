// The inference engine the worker (and the Node CLI) runs: load = fetch/verify/cache every model
// file with byte progress; generate = decode → preprocess (+ background removal) → DINOv2 →
// stage 1 → stage 2 → decoders. Sessions are created lazily, once per component, and released
// by the policy chosen from the memory plan (pipeline/memory-plan.ts).
import { EngineError, throwIfCancelled, toEngineError } from './errors.ts';
import type { EngineOutput, EngineRequest, LoadInfo, ProgressCallback } from './protocol.ts';
import type { Engine, EngineFactoryOptions } from './worker-api.ts';
import { COMPONENT_NAMES, loadManifest, manifestBytes, presentComponents, resolveModelFile, type ComponentName, type ManifestV1, type ModelFile } from '../models/manifest.ts';
import { configureOrt, type OrtBackend } from './ort/ort-runtime.ts';
import { createGpuDevice, WebGpuUnavailable, type GpuDeviceHandle } from './ort/webgpu-device.ts';
import { chooseMemoryPolicy, stage2MemoryProblem } from './pipeline/memory-policy.ts';
import { outOfMemoryHint } from './ort/ort-errors.ts';
import { SessionProvider, type ComponentDescriptor, type ReleasePolicy, type SessionEvent } from './ort/session-provider.ts';
import { MAIN_GRAPH, type ComponentProvider } from './pipeline/types.ts';
import type { SessionFiles } from './ort/session-runner.ts';
import { cpuNodeCount } from './ort/placement.ts';
import type { ModelStore } from './model-store/types.ts';
import { CacheApiStore } from './model-store/cache-api-store.ts';
import { MemoryStore } from './model-store/memory-store.ts';
import { assertOnnxModel } from './model-store/onnx-sniff.ts';
import { formatBytes, type MemoryPlan } from './pipeline/memory-plan.ts';
import { runPipeline } from './pipeline/run-pipeline.ts';
import { encodeImages } from './pipeline/conditioning.ts';
import { StageClock } from './pipeline/progress.ts';
import type { ImageDecoder } from './pipeline/image-source.ts';
import type { RgbImage } from './preprocess/preprocess-image.ts';
import { preprocessImage } from './preprocess/preprocess-image.ts';
import { backgroundConfig } from './background/background-config.ts';
import { u2netRemover } from './background/u2net-remover.ts';
import type { SamplerParams } from './sampler/index.ts';
import type { BackgroundRemover } from './preprocess/preprocess-image.ts';

export interface TrellisEngineOptions extends EngineFactoryOptions {
  /** Where verified model bytes come from (default: Cache API in browsers, memory otherwise). */
  store?: ModelStore;
  decodeImage: ImageDecoder;
  /** 'auto' (default): keep every session when the memory plan's keep-all peak fits the budget. */
  releasePolicy?: ReleasePolicy | 'auto';
  /** Device memory the engine may plan for (default 3 GiB WebGPU, 2 GiB wasm: wasm32 heaps top out at 4 GiB). */
  memoryBudgetBytes?: number;
  /** Run the Gaussian decoder when the model set has one (the GLB path does not use it). */
  gaussians?: boolean;
  /** Batch the stage-1 CFG pair into one call (WebGPU default: on when the budget allows). */
  batchCfgPair?: boolean;
  /** Parse ORT's node placement for every session and announce CPU-assigned nodes. */
  inspectPlacement?: boolean;
  onSessionEvent?: (event: SessionEvent) => void;
  /** Level-1 parents per mesh-decoder tail chunk (tests use small chunks to exercise several). */
  meshChunkParents?: number;
  /**
   * Test and bench seam, not a product option: wraps the component provider one generation uses
   * (the full-size bench fixes the stage-1 occupancy with it, pipeline/fixed-occupancy.ts).
   */
  wrapProvider?: (provider: ComponentProvider) => ComponentProvider;
}

function defaultStore(): ModelStore {
  return typeof caches !== 'undefined' ? new CacheApiStore() : new MemoryStore();
}

function checkRequest(r: EngineRequest): void {
  const bad = (m: string) => new EngineError('BAD_REQUEST', m);
  if (!Array.isArray(r.images) || r.images.length === 0) throw bad('images: at least one image is required');
  if (!Number.isSafeInteger(r.seed) || r.seed < 0) throw bad(`seed must be a non-negative integer, got ${r.seed}`);
  for (const k of ['ss_sampling_steps', 'slat_sampling_steps'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw bad(`${k} must be an integer >= 1, got ${r[k]}`);
  }
  for (const k of ['ss_guidance_strength', 'slat_guidance_strength'] as const) {
    if (!Number.isFinite(r[k]) || r[k] < 0) throw bad(`${k} must be a number >= 0, got ${r[k]}`);
  }
  if (r.images.length > 1 && r.multiimage_algo !== 'stochastic' && r.multiimage_algo !== 'multidiffusion') {
    throw bad(`multiimage_algo must be "stochastic" or "multidiffusion", got ${JSON.stringify(r.multiimage_algo)}`);
  }
}

/** fal's parameters on top of the manifest's sampler block (cfg_interval, rescale_t, sigma_min). */
export function samplerParamsFor(request: EngineRequest, pipeline: ManifestV1['pipeline']): { ss: SamplerParams; slat: SamplerParams } {
  const from = (d: ManifestV1['pipeline']['ss_sampler'], steps: number, cfg: number): SamplerParams => ({
    steps,
    cfgStrength: cfg,
    cfgInterval: [d.cfg_interval[0], d.cfg_interval[1]],
    rescaleT: d.rescale_t,
    sigmaMin: d.sigma_min,
  });
  return {
    ss: from(pipeline.ss_sampler, request.ss_sampling_steps, request.ss_guidance_strength),
    slat: from(pipeline.slat_sampler, request.slat_sampling_steps, request.slat_guidance_strength),
  };
}

export class TrellisEngine implements Engine {
  private manifest: ManifestV1;
  private manifestUrl = '';
  private backend: OrtBackend = 'wasm';
  private fallbackReason: string | null = null;
  private gpu: GpuDeviceHandle | null = null;
  private usedTransformers = false;
  private batchPair = false;
  private provider: SessionProvider | null = null;
  private policy: ReleasePolicy = 'per-stage';
  private plan: MemoryPlan | null = null;
  private readonly store: ModelStore;
  /** Messages (fallback, placement) that the next progress listener should hear. */
  private notices: string[] = [];

  constructor(private readonly opts: TrellisEngineOptions) {
    this.manifest = opts.manifest;
    this.store = opts.store ?? defaultStore();
  }

  get activeBackend(): OrtBackend {
    return this.backend;
  }

  get releasePolicy(): ReleasePolicy {
    return this.policy;
  }

  get memory(): MemoryPlan | null {
    return this.plan;
  }

  get gpuDevice(): GpuDeviceHandle | null {
    return this.gpu;
  }

  /** Live sessions as "component/graph". */
  liveSessions(): string[] {
    return this.provider?.liveSessions() ?? [];
  }

  private async selectBackend(): Promise<void> {
    const pref = this.opts.device;
    this.fallbackReason = null;
    if (pref === 'wasm') {
      this.backend = 'wasm';
      return;
    }
    try {
      this.gpu = await createGpuDevice();
      this.backend = 'webgpu';
    } catch (error) {
      const reason = error instanceof WebGpuUnavailable ? error.message : `WebGPU setup failed: ${(error as Error).message}`;
      if (pref === 'webgpu') throw new EngineError('WEBGPU_UNAVAILABLE', reason, { cause: error });
      this.backend = 'wasm';
      this.fallbackReason = reason;
    }
  }

  /** The graph file of (component, graph) and the external data files that belong to it. */
  private sessionFiles(name: ComponentName, graphName: string): Promise<SessionFiles> {
    const spec = this.manifest.components[name];
    if (!spec) throw new EngineError('MODEL_MISSING', `the model set has no ${name} component`);
    const graphFiles = spec.files.filter((f) => f.role === 'graph');
    const external = spec.files.filter((f) => f.role === 'external_data');
    let graph: ModelFile | undefined;
    let data: ModelFile[];
    if (spec.graphs) {
      const g = spec.graphs[graphName];
      graph = g && graphFiles.find((f) => f.path === g.file);
      // The converter names shards <graph file>.data, <graph file>.data.1, ...
      data = graph ? external.filter((f) => f.path.startsWith(`${graph!.path}.data`) || f.path.startsWith(`${graph!.path}_data`)) : [];
    } else {
      if (graphFiles.length !== 1) throw new EngineError('MODEL_CORRUPT', `${name}: expected exactly one graph file, the manifest lists ${graphFiles.length} and no "graphs" map`);
      graph = graphName === MAIN_GRAPH ? graphFiles[0] : undefined;
      data = external;
    }
    if (!graph) throw new EngineError('MODEL_CORRUPT', `${name}: the manifest has no graph "${graphName}"`);
    const dir = graph.path.includes('/') ? graph.path.slice(0, graph.path.lastIndexOf('/') + 1) : '';
    const read = (f: ModelFile) => this.store.read(resolveModelFile(this.manifestUrl, f), f);
    const g = graph;
    return (async () => ({
      graph: assertOnnxModel(await read(g), g.path),
      externalData: await Promise.all(data.map(async (f) => ({ path: f.path.startsWith(dir) ? f.path.slice(dir.length) : f.path, data: await read(f) }))),
    }))();
  }

  private makeProvider(): SessionProvider {
    const components: Partial<Record<ComponentName, ComponentDescriptor>> = {};
    for (const name of COMPONENT_NAMES) {
      const c = this.manifest.components[name];
      if (!c) continue;
      const graphs: ComponentDescriptor['graphs'] = {};
      if (c.graphs) for (const [g, spec] of Object.entries(c.graphs)) graphs[g] = { inputs: spec.inputs, outputs: spec.outputs };
      else graphs[MAIN_GRAPH] = { inputs: c.inputs, outputs: c.outputs };
      components[name] = { config: c.config, graphs };
    }
    return new SessionProvider(components, (name, graph) => this.sessionFiles(name, graph), {
      backend: this.backend,
      device: this.gpu?.device,
      policy: this.policy,
      inspectPlacement: this.opts.inspectPlacement,
      deviceLost: () => this.gpu?.lostReason() ?? null,
      onEvent: (e) => {
        if (e.kind === 'created' && e.placement) {
          const cpu = cpuNodeCount(e.placement);
          const summary = Object.entries(e.placement.counts).map(([ep, n]) => `${n} on ${ep}`).join(', ');
          this.notices.push(`${e.component}${e.graph === MAIN_GRAPH ? '' : `.${e.graph}`}: nodes ${summary}${cpu && this.backend === 'webgpu' ? ` (CPU nodes: ${(e.placement.nodes.CPUExecutionProvider ?? []).slice(0, 8).join('; ')})` : ''}`);
        }
        this.opts.onSessionEvent?.(e);
      },
    });
  }

  private choosePolicy(): void {
    const chosen = chooseMemoryPolicy(this.manifest, this.backend, { budgetBytes: this.opts.memoryBudgetBytes, releasePolicy: this.opts.releasePolicy, batchCfgPair: this.opts.batchCfgPair });
    this.policy = chosen.policy;
    this.batchPair = chosen.batchCfgPair;
    this.plan = chosen.plan;
  }

  async load(manifestUrl: string, onProgress?: ProgressCallback): Promise<LoadInfo> {
    try {
      const clock = new StageClock(onProgress);
      this.manifestUrl = manifestUrl;
      configureOrt({ wasmPaths: this.opts.wasmPaths });
      await this.selectBackend();
      const files = presentComponents(this.manifest).flatMap((name) => this.manifest.components[name]!.files);
      const total = manifestBytes(this.manifest);
      let done = 0;
      for (const [i, f] of files.entries()) {
        await this.store.ensure(resolveModelFile(manifestUrl, f), f, (loaded) => {
          clock.report('download', { step: i + 1, steps: files.length, loaded: done + loaded, total, message: f.path });
        });
        done += f.size;
      }
      this.choosePolicy();
      this.provider = this.makeProvider();
      const message =
        `backend ${this.backend}${this.fallbackReason ? ` (WebGPU unavailable: ${this.fallbackReason}; running on WASM, much slower)` : ''}; ` +
        `sessions released ${this.policy === 'keep' ? 'only on dispose' : 'after each stage'}, ` +
        `stage-1 CFG pair ${this.batchPair ? 'batched' : 'as two calls'} ` +
        `(planned peak ${formatBytes(this.policy === 'keep' ? this.plan!.keepAllPeak : this.plan!.perStagePeak)})`;
      clock.report('load', { message });
      return {
        manifestUrl,
        id: this.manifest.id,
        name: this.manifest.name,
        dtype: this.manifest.dtype,
        backend: this.backend,
        components: presentComponents(this.manifest),
        bytes: total,
      };
    } catch (error) {
      throw toEngineError(error);
    }
  }

  private async backgroundRemover(): Promise<BackgroundRemover | undefined> {
    const spec = this.manifest.components.background_removal;
    if (!spec || !this.provider) return undefined;
    const cfg = backgroundConfig(spec.config);
    if (cfg.kind === 'transformers') {
      const { transformersRemover } = await import('./background/transformers-remover.ts');
      this.usedTransformers = true;
      return transformersRemover(new URL(cfg.model.endsWith('/') ? cfg.model : `${cfg.model}/`, this.manifestUrl).href, cfg, this.backend);
    }
    return u2netRemover(await this.provider.get('background_removal'));
  }

  private async prepareImages(request: EngineRequest, clock: StageClock, signal: AbortSignal): Promise<RgbImage[]> {
    const out: RgbImage[] = [];
    let remover: BackgroundRemover | undefined;
    let removerLoaded = false;
    for (const [i, source] of request.images.entries()) {
      throwIfCancelled(signal);
      clock.report('preprocess', { step: i + 1, steps: request.images.length });
      const rgba = await this.opts.decodeImage(source, i, signal);
      out.push(
        await preprocessImage(rgba, {
          useImageAsIs: Boolean(request.use_image_as_is),
          removeBackground: async (rgb) => {
            if (!removerLoaded) {
              removerLoaded = true;
              remover = await this.backgroundRemover();
            }
            if (!remover) {
              throw new EngineError(
                'NO_BACKGROUND_MODEL',
                `image ${i + 1} is fully opaque (${rgba.width}x${rgba.height}) and needs background removal, but the model set "${this.manifest.id}" has no ` +
                  'background_removal component. Add one (convert with --background-model <u2net folder>, see the README), pass an image with a ' +
                  'transparent background, or use the image as-is ("Use the image as-is" on the site, useImageAsIs in the JS API, --use-image-as-is on the CLI)',
              );
            }
            clock.report('background_removal', { step: i + 1, steps: request.images.length });
            throwIfCancelled(signal);
            return remover(rgb);
          },
        }),
      );
    }
    if (removerLoaded && remover) await this.provider?.done('background_removal');
    return out;
  }

  async generate(request: EngineRequest, onProgress: ProgressCallback | undefined, signal: AbortSignal): Promise<EngineOutput> {
    if (!this.provider) throw new EngineError('MODEL_MISSING', 'no model is loaded: call load(manifestUrl) first');
    const provider: ComponentProvider = this.opts.wrapProvider ? this.opts.wrapProvider(this.provider) : this.provider;
    const startedAt = globalThis.performance.now();
    const clock = new StageClock(onProgress, startedAt);
    const flush = () => {
      for (const message of this.notices.splice(0)) clock.report('load', { message });
    };
    flush();
    try {
      checkRequest(request);
      const images = await clock.time('preprocess', () => this.prepareImages(request, clock, signal));
      throwIfCancelled(signal);
      const cond = await clock.time('conditioning', () => encodeImages(provider, images, signal));
      await provider.done('dinov2');
      flush();
      const { ss, slat } = samplerParamsFor(request, this.manifest.pipeline);
      const result = await runPipeline(provider, {
        cond,
        seed: request.seed,
        ss,
        slat,
        multiimageAlgo: request.multiimage_algo,
        normalization: this.manifest.pipeline.slat_normalization,
        decoders: { mesh: true, gaussians: Boolean(this.opts.gaussians) && provider.has('slat_decoder_gs') },
        batchCfgPair: this.batchPair,
        meshChunkParents: this.opts.meshChunkParents,
        checkMemory: (voxels) => {
          const problem = stage2MemoryProblem(this.manifest, this.backend, voxels, this.policy, {
            maxBindingBytes: this.gpu?.maxStorageBufferBindingSize,
            maxBufferBytes: this.gpu?.maxBufferSize,
          });
          if (problem) throw new EngineError('OUT_OF_MEMORY', `${problem}. ${outOfMemoryHint(this.backend)}`);
        },
        signal,
        onProgress: (e) => {
          flush();
          onProgress?.(e);
        },
        startedAt,
      });
      flush();
      const timings = { ...clock.timings, ...result.timings, total: (globalThis.performance.now() - startedAt) / 1000 };
      return { mesh: result.mesh!, ...(result.gaussians ? { gaussians: result.gaussians } : {}), seed: request.seed, timings, backend: this.backend };
    } catch (error) {
      let e = signal.aborted ? new EngineError('CANCELLED', 'generation cancelled', { cause: error }) : toEngineError(error);
      if (e.code === 'INTERNAL' && this.gpu) {
        // A lost device often surfaces first as a failed kernel or copy; device.lost settles
        // moments later. Give it that moment before classifying the failure.
        const gpu = this.gpu;
        await Promise.race([gpu.device.lost, new Promise((r) => setTimeout(r, 100))]);
        const lost = gpu.lostReason();
        if (lost !== null) e = new EngineError('DEVICE_LOST', `the GPU device was lost (${lost}) during generation: ${e.message}; the engine recreates its sessions on the next request`, { cause: error });
      }
      await this.recover(e);
      throw e;
    }
  }

  /** transformers.js keeps its own pipeline (and ORT sessions) outside the SessionProvider. */
  private async releaseTransformers(): Promise<void> {
    if (!this.usedTransformers) return;
    this.usedTransformers = false;
    const { releaseTransformersRemovers } = await import('./background/transformers-remover.ts');
    await releaseTransformersRemovers();
  }

  /** After a failure, leave the engine usable: a lost device is replaced, OOM frees every session. */
  private async recover(error: EngineError): Promise<void> {
    if (error.code === 'DEVICE_LOST' || (this.gpu && this.gpu.lostReason() !== null)) {
      await this.provider?.releaseAll().catch(() => undefined);
      await this.releaseTransformers().catch(() => undefined);
      try {
        this.gpu?.device.destroy();
      } catch {
        // already gone
      }
      this.gpu = null;
      try {
        this.gpu = await createGpuDevice();
      } catch (e) {
        this.backend = 'wasm';
        this.fallbackReason = `the GPU device was lost and could not be recreated (${(e as Error).message})`;
        this.notices.push(`falling back to WASM: ${this.fallbackReason}`);
      }
      this.provider = this.makeProvider();
    } else if (error.code === 'OUT_OF_MEMORY') {
      await this.provider?.releaseAll().catch(() => undefined);
      this.policy = 'per-stage';
      this.provider = this.makeProvider();
      this.notices.push('out of memory: sessions are now released after each stage');
    }
  }

  async dispose(): Promise<void> {
    await this.provider?.releaseAll();
    await this.releaseTransformers();
    this.provider = null;
    try {
      this.gpu?.device.destroy();
    } catch {
      // ignore
    }
    this.gpu = null;
  }
}

export async function loadEngineManifest(url: string): Promise<ManifestV1> {
  return loadManifest(url);
}
