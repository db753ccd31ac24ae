// Worker side of the browser engine tests: counts live GPU buffers (createBuffer/destroy are
// wrapped before ORT or the engine touch WebGPU), then drives the real engine (src/engine/index.ts,
// the module the app's worker loads) and reports plain data back.
import * as Comlink from 'comlink';
import type { EngineRequest, ProgressEvent, DevicePreference } from '../../../src/engine/protocol.ts';
import type { Engine } from '../../../src/engine/worker-api.ts';
import { loadManifest } from '../../../src/models/manifest.ts';

let liveBuffers = 0;
let createdBuffers = 0;
let liveBytes = 0;
let peakBytes = 0;
const gpuDevice = (globalThis as { GPUDevice?: { prototype: { createBuffer(...a: unknown[]): { destroy(): void } } } }).GPUDevice;
if (gpuDevice) {
  const create = gpuDevice.prototype.createBuffer;
  gpuDevice.prototype.createBuffer = function (this: unknown, ...args: unknown[]) {
    const buffer = create.apply(this, args);
    const size = Number((args[0] as { size?: number } | undefined)?.size ?? 0);
    liveBuffers++;
    createdBuffers++;
    liveBytes += size;
    peakBytes = Math.max(peakBytes, liveBytes);
    const destroy = buffer.destroy;
    let destroyed = false;
    buffer.destroy = function (this: unknown) {
      if (!destroyed) {
        destroyed = true;
        liveBuffers--;
        liveBytes -= size;
      }
      return destroy.call(this);
    };
    return buffer;
  };
}

let engine: (Engine & { liveSessions?: () => string[] }) | null = null;
/** Node placements of every session the engine created (with inspectPlacement), in order. */
const placements: { component: string; graph: string; counts: Record<string, number>; nodes: Record<string, string[]> }[] = [];

export interface HarnessGenerate {
  backend: string;
  meshCount: number;
  /** Stage-1 voxels: every 64th mesh row is a first child, its coords >> 2 are the parent voxel. */
  structure: number[];
  meshFeatsChecksum: number;
  timings: Record<string, number>;
  events: ProgressEvent[];
}

function summarise(events: ProgressEvent[], out: Awaited<ReturnType<Engine['generate']>>): HarnessGenerate {
  const structure: number[] = [];
  for (let r = 0; r < out.mesh.count; r += 64) for (let a = 1; a < 4; a++) structure.push(out.mesh.coords[r * 4 + a] >> 2);
  let sum = 0;
  for (let i = 0; i < out.mesh.feats.length; i += 97) sum += out.mesh.feats[i];
  return { backend: out.backend, meshCount: out.mesh.count, structure, meshFeatsChecksum: sum, timings: out.timings, events };
}

const api = {
  /** options.fixedCoords ([b,x,y,z,...]) fixes the stage-1 occupancy (pipeline/fixed-occupancy.ts; the GPU bench). */
  async load(manifestUrl: string, device: DevicePreference, wasmPaths: string, options: Record<string, unknown> = {}) {
    const events: ProgressEvent[] = [];
    const { fixedCoords, ...engineOptions } = options as { fixedCoords?: number[] };
    if (fixedCoords) {
      const { fixedOccupancy } = await import('../../../src/engine/pipeline/fixed-occupancy.ts');
      const coords = Int32Array.from(fixedCoords);
      (engineOptions as Record<string, unknown>).wrapProvider = (p: Parameters<typeof fixedOccupancy>[0]) => fixedOccupancy(p, coords);
    }
    const manifest = await loadManifest(manifestUrl);
    const { TrellisEngine } = await import('../../../src/engine/engine.ts');
    const { browserImageDecoder } = await import('../../../src/engine/pipeline/image-source.ts');
    await engine?.dispose();
    placements.length = 0;
    engine = new TrellisEngine({
      device, wasmPaths, manifest, decodeImage: browserImageDecoder, ...engineOptions,
      onSessionEvent: (e) => {
        if (e.kind === 'created' && e.placement) placements.push({ component: e.component, graph: e.graph, ...e.placement });
      },
    });
    const info = await engine.load(manifestUrl, (e) => events.push(e));
    return { info, events };
  },
  async generate(request: EngineRequest): Promise<HarnessGenerate> {
    if (!engine) throw new Error('load first');
    const events: ProgressEvent[] = [];
    const out = await engine.generate(request, (e) => {
      events.push(e);
      // Visible in the test's page console (long SwiftShader runs); one line per event.
      console.log(`[progress] ${e.stage}${e.step ? ` ${e.step}/${e.steps}` : ''} ${e.elapsed?.toFixed(1)}s${e.message ? ` ${e.message}` : ''}`);
    }, new AbortController().signal);
    return summarise(events, out);
  },
  /** Aborts when the given stage reports the given step; returns the error code. */
  async generateAndCancel(request: EngineRequest, stage: string, step: number): Promise<{ code: string; message: string }> {
    if (!engine) throw new Error('load first');
    const controller = new AbortController();
    try {
      await engine.generate(request, (e) => {
        if (e.stage === stage && e.step === step) controller.abort();
      }, controller.signal);
      return { code: 'NONE', message: 'not cancelled' };
    } catch (error) {
      return { code: (error as { code?: string }).code ?? 'UNKNOWN', message: (error as Error).message };
    }
  },
  /** Destroys the engine's GPUDevice, as a driver reset would (device.lost fires). */
  loseDevice(): boolean {
    const gpu = (engine as { gpuDevice?: { device: { destroy(): void } } | null } | null)?.gpuDevice;
    if (!gpu) return false;
    gpu.device.destroy();
    return true;
  },
  placements() {
    return placements;
  },
  gpuBuffers() {
    return { live: liveBuffers, created: createdBuffers, wrapped: Boolean(gpuDevice), liveBytes, peakBytes };
  },
  /** The adapter the engine's device came from (the GPU bench refuses software adapters). */
  gpuAdapter() {
    const gpu = (engine as { gpuDevice?: { adapterInfo: Record<string, string>; features: string[]; maxBufferSize: number; maxStorageBufferBindingSize: number } | null } | null)?.gpuDevice;
    return gpu ? { ...gpu.adapterInfo, features: gpu.features, maxBufferSize: gpu.maxBufferSize, maxStorageBufferBindingSize: gpu.maxStorageBufferBindingSize } : null;
  },
  liveSessions() {
    return engine?.liveSessions?.() ?? [];
  },
  async dispose() {
    await engine?.dispose();
    engine = null;
  },
};

export type HarnessApi = typeof api;
Comlink.expose(api);
