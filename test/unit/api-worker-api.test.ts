// The worker contract across a real Comlink boundary (a MessageChannel in Node): error codes
// survive, progress flows through proxied callbacks, cancellation reaches the engine.
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError, installEngineErrorTransfer, throwIfCancelled } from '../../src/engine/errors.ts';
import type { Capabilities, EngineOutput, EngineRequest, ProgressEvent } from '../../src/engine/protocol.ts';
import { createWorkerApi, outputTransferables, type Engine, type EngineFactory, type WorkerApi } from '../../src/engine/worker-api.ts';
import type { FetchLike } from '../../src/models/manifest.ts';

installEngineErrorTransfer();

const HASH = '0'.repeat(64);
const comp = (n: string) => ({
  class: n,
  config: {},
  files: [{ path: `${n}.onnx`, size: 10, sha256: HASH, role: 'graph' }],
  inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 8] }],
  outputs: [{ name: 'y', dtype: 'float32', shape: ['N', 8] }],
  dtype: 'fp32',
});
const sampler = { steps: 25, cfg_strength: 5, cfg_interval: [0.5, 1], rescale_t: 3, sigma_min: 1e-5 };
const MANIFEST = {
  format: 'trellis-web-models',
  version: 1,
  id: 'tiny',
  name: 'tiny',
  dtype: 'fp32',
  components: { ss_flow: comp('ss_flow'), ss_decoder: comp('ss_decoder'), slat_flow: comp('slat_flow'), slat_decoder_mesh: comp('slat_decoder_mesh') },
  pipeline: { ss_sampler: sampler, slat_sampler: sampler, slat_normalization: { mean: Array(8).fill(0), std: Array(8).fill(1) } },
};
const MANIFEST_URL = 'https://models.test/tiny/manifest.json';

const serve: FetchLike = async (url) => {
  const found = url === MANIFEST_URL;
  const body = url.endsWith('/broken/manifest.json') ? '{"format":"trellis-web-models","version":3}' : JSON.stringify(MANIFEST);
  const ok = found || url.endsWith('/broken/manifest.json');
  return { ok, status: ok ? 200 : 404, statusText: ok ? 'OK' : 'Not Found', text: async () => body };
};

const noGpu = async (): Promise<Omit<Capabilities, 'engineAvailable'>> => ({
  webgpuApi: false,
  adapter: null,
  adapterError: 'navigator.gpu is missing',
  crossOriginIsolated: false,
  hardwareConcurrency: 2,
});

/** An engine whose output is computed from the request: steps voxels, features from seed and guidance. */
class EchoEngine implements Engine {
  calls = 0;
  disposed = false;
  constructor(private readonly gate?: () => Promise<void>) {}
  async load(manifestUrl: string, onProgress?: (e: ProgressEvent) => void) {
    onProgress?.({ stage: 'load', loaded: 1, total: 1 });
    return { manifestUrl, id: 'tiny', name: 'tiny', dtype: 'fp32' as const, backend: 'node' as const, components: ['ss_flow'], bytes: 40 };
  }
  async generate(req: EngineRequest, onProgress: ((e: ProgressEvent) => void) | undefined, signal: AbortSignal): Promise<EngineOutput> {
    const n = req.ss_sampling_steps;
    const coords = new Int32Array(n * 4);
    const feats = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      throwIfCancelled(signal);
      this.calls++;
      await (this.gate ? this.gate() : Promise.resolve());
      coords.set([0, i, req.seed % 64, n - i], i * 4);
      feats.set([req.ss_guidance_strength * i, req.slat_guidance_strength], i * 2);
      onProgress?.({ stage: 'sparse_structure', step: i + 1, steps: n });
    }
    return { mesh: { resolution: 64, count: n, channels: 2, coords, feats }, seed: req.seed, timings: { sparse_structure: 0.001 }, backend: 'node' };
  }
  async dispose() {
    this.disposed = true;
  }
}

const request = (over: Partial<EngineRequest> = {}): EngineRequest => ({
  images: ['https://img.test/a.png'],
  seed: 1234,
  ss_guidance_strength: 7.5,
  ss_sampling_steps: 5,
  slat_guidance_strength: 3,
  slat_sampling_steps: 12,
  multiimage_algo: 'stochastic',
  mesh_simplify: 0.95,
  texture_size: 1024,
  ...over,
});

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** Exposes the api on one port and returns a wrapped remote on the other, like the worker does. */
function overComlink(api: WorkerApi): Comlink.Remote<WorkerApi> {
  const channel = new MessageChannel();
  channels.push(channel);
  Comlink.expose(
    {
      ...api,
      async generate(req: EngineRequest, cb?: (e: ProgressEvent) => void) {
        const out = await api.generate(req, cb);
        return Comlink.transfer(out, outputTransferables(out));
      },
    },
    channel.port1 as unknown as Comlink.Endpoint,
  );
  return Comlink.wrap<WorkerApi>(channel.port2 as unknown as Comlink.Endpoint);
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string; isEngineError: boolean }> {
  try {
    await p;
  } catch (error) {
    return { code: (error as EngineError).code, message: (error as Error).message, isEngineError: error instanceof EngineError };
  }
  throw new Error('expected a rejection');
}

describe('worker api across Comlink', () => {
  it('answers ping and reports capabilities, including whether an engine exists', async () => {
    const remote = overComlink(createWorkerApi(null, { capabilities: noGpu, fetch: serve }));
    expect(await remote.ping()).toBe('pong');
    expect(await remote.capabilities()).toMatchObject({ webgpuApi: false, adapter: null, engineAvailable: false });
  });

  it('gives MODEL_MISSING for a missing manifest, with the code intact', async () => {
    const remote = overComlink(createWorkerApi(() => Promise.resolve(new EchoEngine()), { capabilities: noGpu, fetch: serve }));
    const r = await codeOf(remote.load('https://models.test/none/manifest.json', undefined, { device: 'auto' }));
    expect(r).toMatchObject({ code: 'MODEL_MISSING', isEngineError: true });
    expect(r.message).toContain('https://models.test/none/manifest.json');
  });

  it('gives MODEL_CORRUPT for an invalid manifest, naming the field', async () => {
    const remote = overComlink(createWorkerApi(() => Promise.resolve(new EchoEngine()), { capabilities: noGpu, fetch: serve }));
    const r = await codeOf(remote.load('https://models.test/broken/manifest.json'));
    expect(r.code).toBe('MODEL_CORRUPT');
    expect(r.message).toContain('version');
  });

  it('gives MODEL_MISSING when the build has no engine, never a result', async () => {
    const remote = overComlink(createWorkerApi(null, { capabilities: noGpu, fetch: serve }));
    const r = await codeOf(remote.load(MANIFEST_URL));
    expect(r.code).toBe('MODEL_MISSING');
    expect(r.message).toMatch(/no inference engine/);
    expect((await codeOf(remote.generate(request()))).code).toBe('MODEL_MISSING');
  });

  it('gives WEBGPU_UNAVAILABLE when webgpu is demanded without an adapter', async () => {
    const remote = overComlink(createWorkerApi(() => Promise.resolve(new EchoEngine()), { capabilities: noGpu, fetch: serve }));
    expect((await codeOf(remote.load(MANIFEST_URL, undefined, { device: 'webgpu' }))).code).toBe('WEBGPU_UNAVAILABLE');
  });

  it('rejects relative manifest URLs and bad devices as BAD_REQUEST', async () => {
    const remote = overComlink(createWorkerApi(null, { capabilities: noGpu, fetch: serve }));
    expect((await codeOf(remote.load('./models/x/manifest.json'))).code).toBe('BAD_REQUEST');
    expect((await codeOf(remote.load(MANIFEST_URL, undefined, { device: 'cuda' as never }))).code).toBe('BAD_REQUEST');
  });

  it('loads, streams progress through a proxied callback and transfers the output', async () => {
    let factoryDevice = '';
    const engine = new EchoEngine();
    const factory: EngineFactory = async (o) => {
      factoryDevice = o.device;
      expect(o.manifest.id).toBe('tiny');
      return engine;
    };
    const remote = overComlink(createWorkerApi(factory, { capabilities: noGpu, fetch: serve }));
    const loadEvents: ProgressEvent[] = [];
    const info = await remote.load(MANIFEST_URL, Comlink.proxy((e: ProgressEvent) => void loadEvents.push(e)), { device: 'wasm' });
    expect(info.manifestUrl).toBe(MANIFEST_URL);
    expect(factoryDevice).toBe('wasm');
    const events: ProgressEvent[] = [];
    const out = await remote.generate(request({ seed: 70, ss_sampling_steps: 4 }), Comlink.proxy((e: ProgressEvent) => void events.push(e)));
    expect(out.mesh.count).toBe(4);
    expect(Array.from(out.mesh.coords.subarray(0, 8))).toEqual([0, 0, 6, 4, 0, 1, 6, 3]);
    expect(out.mesh.feats[6]).toBeCloseTo(7.5 * 3);
    await new Promise((r) => setTimeout(r, 20)); // progress messages are asynchronous
    expect(events.map((e) => e.step)).toEqual([1, 2, 3, 4]);
    expect(loadEvents).toEqual([{ stage: 'load', loaded: 1, total: 1 }]);
  });

  it('cancels a running generation between model calls with CANCELLED', async () => {
    let release!: () => void;
    let reached!: () => void;
    const reachedStep = new Promise<void>((r) => (reached = r));
    const engine = new EchoEngine(
      () =>
        new Promise<void>((r) => {
          release = r;
          reached();
        }),
    );
    const remote = overComlink(createWorkerApi(async () => engine, { capabilities: noGpu, fetch: serve }));
    await remote.load(MANIFEST_URL);
    const pending = codeOf(remote.generate(request({ ss_sampling_steps: 10 })));
    await reachedStep;
    expect(await remote.cancel()).toBe(true);
    release();
    expect((await pending).code).toBe('CANCELLED');
    expect(engine.calls).toBe(1);
    expect(await remote.cancel()).toBe(false);
  });

  it('refuses a second concurrent generation', async () => {
    let release!: () => void;
    const engine = new EchoEngine(() => new Promise<void>((r) => (release = r)));
    const api = createWorkerApi(async () => engine, { capabilities: noGpu, fetch: serve });
    await api.load(MANIFEST_URL);
    const first = api.generate(request({ ss_sampling_steps: 1 }));
    const second = await codeOf(api.generate(request()));
    expect(second.code).toBe('BAD_REQUEST');
    release();
    expect((await first).mesh.count).toBe(1);
  });

  it('turns a plain engine error into INTERNAL with its message, and rejects malformed output', async () => {
    const failing: Engine = {
      load: new EchoEngine().load,
      generate: async () => {
        throw new RangeError('shape mismatch in ss_flow');
      },
      dispose: async () => undefined,
    };
    const remote = overComlink(createWorkerApi(async () => failing, { capabilities: noGpu, fetch: serve }));
    await remote.load(MANIFEST_URL);
    expect(await codeOf(remote.generate(request()))).toMatchObject({ code: 'INTERNAL', message: 'shape mismatch in ss_flow' });

    const malformed: Engine = {
      load: new EchoEngine().load,
      generate: async (req) => ({ mesh: { resolution: 64, count: 3, channels: 2, coords: new Int32Array(4), feats: new Float32Array(6) }, seed: req.seed, timings: {}, backend: 'node' }),
      dispose: async () => undefined,
    };
    const api2 = createWorkerApi(async () => malformed, { capabilities: noGpu, fetch: serve });
    await api2.load(MANIFEST_URL);
    expect((await codeOf(api2.generate(request()))).message).toMatch(/coords must be an Int32Array of count\*4 = 12/);
  });

  it('reuses a loaded engine for the same model and replaces it for another device', async () => {
    const engines: EchoEngine[] = [];
    const api = createWorkerApi(async () => {
      const e = new EchoEngine();
      engines.push(e);
      return e;
    }, { capabilities: noGpu, fetch: serve });
    await api.load(MANIFEST_URL, undefined, { device: 'wasm' });
    await api.load(MANIFEST_URL, undefined, { device: 'wasm' });
    expect(engines).toHaveLength(1);
    await api.load(MANIFEST_URL, undefined, { device: 'auto' });
    expect(engines).toHaveLength(2);
    expect(engines[0]!.disposed).toBe(true);
  });
});
