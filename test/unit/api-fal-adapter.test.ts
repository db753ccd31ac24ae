// Client + fal-style adapter with an in-process engine runner (the real WorkerApi wrapping a test
// engine whose output is computed from the request) and a test GLB builder that encodes that
// output into a real GLB container, so every value in the result can be traced to the request.
import { describe, expect, it } from 'vitest';
import { createTrellis } from '../../src/api/client.ts';
import { createFalClient, type QueueStatus } from '../../src/api/fal-adapter.ts';
import type { GlbBuilder } from '../../src/api/glb-builder.ts';
import { ValidationError } from '../../src/api/validation-error.ts';
import { EngineError, throwIfCancelled } from '../../src/engine/errors.ts';
import type { EngineOutput, EngineRequest, ProgressEvent } from '../../src/engine/protocol.ts';
import { createWorkerApi, type Engine } from '../../src/engine/worker-api.ts';
import type { FetchLike } from '../../src/models/manifest.ts';

const HASH = 'f'.repeat(64);
const comp = (n: string) => ({
  class: n,
  config: {},
  files: [{ path: `${n}.onnx`, size: 1, sha256: HASH, role: 'graph' }],
  inputs: [{ name: 'x', dtype: 'float32', shape: [1] }],
  outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
  dtype: 'fp32',
});
const sampler = { steps: 25, cfg_strength: 5, cfg_interval: [0.5, 1], rescale_t: 3, sigma_min: 1e-5 };
const MANIFEST = JSON.stringify({
  format: 'trellis-web-models',
  version: 1,
  id: 'echo',
  name: 'echo',
  dtype: 'fp32',
  components: { ss_flow: comp('a'), ss_decoder: comp('b'), slat_flow: comp('c'), slat_decoder_mesh: comp('d') },
  pipeline: { ss_sampler: sampler, slat_sampler: sampler, slat_normalization: { mean: Array(8).fill(0), std: Array(8).fill(1) } },
});
const MODELS = 'https://models.test/echo/';
const serve: FetchLike = async (url) =>
  url === `${MODELS}manifest.json`
    ? { ok: true, status: 200, statusText: 'OK', text: async () => MANIFEST }
    : { ok: false, status: 404, statusText: 'Not Found', text: async () => '' };

/** A controllable gate: each model call waits for release(). */
class Gate {
  private waiters: (() => void)[] = [];
  auto = true;
  wait(): Promise<void> {
    if (this.auto) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
  releaseAll(): void {
    this.auto = true;
    this.waiters.splice(0).forEach((r) => r());
  }
}

/** One "model call" per sampling step; output values derive from the request. */
class EchoEngine implements Engine {
  readonly log: string[] = [];
  constructor(private readonly gate: Gate) {}
  async load(manifestUrl: string) {
    return { manifestUrl, id: 'echo', name: 'echo', dtype: 'fp32' as const, backend: 'node' as const, components: [], bytes: 4 };
  }
  async generate(req: EngineRequest, onProgress: ((e: ProgressEvent) => void) | undefined, signal: AbortSignal): Promise<EngineOutput> {
    const image = typeof req.images[0] === 'string' ? req.images[0] : 'blob';
    this.log.push(`start ${image}`);
    const steps = req.ss_sampling_steps + req.slat_sampling_steps;
    for (let i = 1; i <= steps; i++) {
      await this.gate.wait();
      throwIfCancelled(signal);
      onProgress?.({ stage: i <= req.ss_sampling_steps ? 'sparse_structure' : 'structured_latent', step: i, steps });
    }
    this.log.push(`end ${image}`);
    const n = req.images.length;
    const coords = new Int32Array(n * 4).map((_, k) => (k % 4 === 1 ? req.seed % 256 : k));
    const feats = new Float32Array(n).fill(req.ss_guidance_strength + req.slat_guidance_strength);
    return { mesh: { resolution: 64, count: n, channels: 1, coords, feats }, seed: req.seed, timings: { sampling: 0.5 }, backend: 'node' };
  }
  async dispose() {}
}

/** Writes a minimal but well-formed GLB whose JSON chunk records what it was built from. */
const jsonGlb: GlbBuilder = async (output, opts) => {
  throwIfCancelled(opts.signal);
  const json = JSON.stringify({
    asset: { version: '2.0' },
    extras: { seed: output.seed, count: output.mesh.count, feat0: output.mesh.feats[0], meshSimplify: opts.meshSimplify, textureSize: opts.textureSize },
  });
  const padded = json + ' '.repeat((4 - (json.length % 4)) % 4);
  const body = new TextEncoder().encode(padded);
  const glb = new Uint8Array(12 + 8 + body.length);
  const view = new DataView(glb.buffer);
  view.setUint32(0, 0x46546c67, true); // 'glTF'
  view.setUint32(4, 2, true);
  view.setUint32(8, glb.length, true);
  view.setUint32(12, body.length, true);
  view.setUint32(16, 0x4e4f534a, true); // 'JSON'
  glb.set(body, 20);
  return { glb, stats: { vertices: output.mesh.count } };
};

async function readGlbExtras(blob: Blob): Promise<Record<string, number>> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const view = new DataView(bytes.buffer);
  expect(view.getUint32(0, true)).toBe(0x46546c67);
  expect(view.getUint32(8, true)).toBe(bytes.length);
  const len = view.getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + len))).extras;
}

function setup() {
  const gate = new Gate();
  const engine = new EchoEngine(gate);
  const runner = createWorkerApi(async () => engine, { capabilities: async () => ({ webgpuApi: false, adapter: null, crossOriginIsolated: false, hardwareConcurrency: 1 }), fetch: serve });
  const trellis = createTrellis({ modelsUrl: MODELS, device: 'wasm', runner, buildGlb: jsonGlb });
  return { gate, engine, trellis, fal: createFalClient(trellis) };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('createTrellis', () => {
  it('resolves the manifest URL from a folder and returns fal-shaped output traced to the request', async () => {
    const { trellis } = setup();
    expect(trellis.manifestUrl).toBe('https://models.test/echo/manifest.json');
    const events: ProgressEvent[] = [];
    const r = await trellis.generate(
      { image_url: 'https://img.test/a.png', seed: 300, ss_guidance_strength: 2, slat_guidance_strength: 1.5, ss_sampling_steps: 2, slat_sampling_steps: 3, texture_size: '512', mesh_simplify: 0.92 },
      { onProgress: (e) => events.push(e) },
    );
    expect(r.seed).toBe(300);
    expect(r.model_mesh.content_type).toBe('model/gltf-binary');
    expect(r.model_mesh.file_size).toBe(r.model_mesh.file_data!.size);
    expect(r.model_mesh.file_name).toBe('trellis_300.glb');
    expect(r.model_mesh.url).toMatch(/^blob:/);
    expect(await readGlbExtras(r.model_mesh.file_data!)).toEqual({ seed: 300, count: 1, feat0: 3.5, meshSimplify: 0.92, textureSize: 512 });
    for (const key of ['prepare', 'generation', 'export', 'sampling']) expect(r.timings[key]).toBeGreaterThanOrEqual(0);
    expect(events.filter((e) => e.step !== undefined).map((e) => e.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('draws a seed in [0, 2^31-1] when none is given and reports it', async () => {
    const { trellis } = setup();
    const r = await trellis.generate({ image_url: 'https://img.test/a.png', ss_sampling_steps: 1, slat_sampling_steps: 1 });
    expect(Number.isInteger(r.seed) && r.seed >= 0 && r.seed <= 2 ** 31 - 1).toBe(true);
    expect((await readGlbExtras(r.model_mesh.file_data!)).seed).toBe(r.seed);
  });

  it('passes every image of a multi request to the engine', async () => {
    const { trellis } = setup();
    const r = await trellis.generateMulti({ image_urls: ['https://img.test/1.png', 'https://img.test/2.png', 'https://img.test/3.png'], seed: 1, multiimage_algo: 'multidiffusion', ss_sampling_steps: 1, slat_sampling_steps: 1 });
    expect((await readGlbExtras(r.model_mesh.file_data!)).count).toBe(3);
  });

  it('rejects invalid input with ValidationError before running anything', async () => {
    const { trellis, engine } = setup();
    await expect(trellis.generate({ image_url: 'x', ss_sampling_steps: 0 } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(engine.log).toEqual([]);
  });

  it('cancels through an AbortSignal with CANCELLED', async () => {
    const { trellis, gate, engine } = setup();
    gate.auto = false;
    const controller = new AbortController();
    const pending = trellis.generate({ image_url: 'https://img.test/a.png', seed: 1 }, { signal: controller.signal });
    await flush();
    await flush();
    controller.abort();
    await flush();
    gate.releaseAll();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(engine.log).toEqual(['start https://img.test/a.png']);
  });

  it('reports MODEL_MISSING for a missing model folder', async () => {
    const runner = createWorkerApi(null, { capabilities: async () => ({ webgpuApi: false, adapter: null, crossOriginIsolated: false, hardwareConcurrency: 1 }), fetch: serve });
    const trellis = createTrellis({ modelsUrl: 'https://models.test/absent', runner, buildGlb: jsonGlb });
    const error = await trellis.generate({ image_url: 'https://img.test/a.png' }).catch((e) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error.code).toBe('MODEL_MISSING');
    expect(error.message).toContain('https://models.test/absent/manifest.json');
  });

  it('replaces a crashed runner on the next call', async () => {
    const { engine } = setup();
    let created = 0;
    const trellis = createTrellis({
      modelsUrl: MODELS,
      buildGlb: jsonGlb,
      runner: () => {
        created++;
        const api = createWorkerApi(async () => engine, { capabilities: async () => ({ webgpuApi: false, adapter: null, crossOriginIsolated: false, hardwareConcurrency: 1 }), fetch: serve });
        if (created === 1) {
          // what worker-runner reports when the worker script dies
          api.generate = async () => {
            throw new EngineError('INTERNAL', 'the pipeline worker failed to start or crashed: boom', { detail: { worker: 'crashed' } });
          };
        }
        return api;
      },
    });
    await expect(trellis.generate({ image_url: 'https://img.test/a.png', seed: 1 })).rejects.toThrow(/crashed: boom/);
    const r = await trellis.generate({ image_url: 'https://img.test/a.png', seed: 2, ss_sampling_steps: 1, slat_sampling_steps: 1 });
    expect(r.seed).toBe(2);
    expect(created).toBe(2);
  });

  it('needs an absolute modelsUrl outside a page', () => {
    expect(() => createTrellis({ modelsUrl: './models/x/' })).toThrow(/baseUrl/);
  });
});

describe('fal adapter', () => {
  const input = (name: string, extra: Record<string, unknown> = {}) => ({ image_url: `https://img.test/${name}.png`, seed: 5, ss_sampling_steps: 2, slat_sampling_steps: 2, ...extra });

  it('subscribe returns {data, requestId} and streams IN_QUEUE -> IN_PROGRESS (with logs) -> COMPLETED', async () => {
    const { fal } = setup();
    const updates: QueueStatus[] = [];
    const r = await fal.subscribe('fal-ai/trellis', { input: input('a'), logs: true, onQueueUpdate: (s) => updates.push(s) });
    expect(r.requestId).toMatch(/[0-9a-f-]{36}/);
    expect(r.data.seed).toBe(5);
    expect(updates[0]).toMatchObject({ status: 'IN_QUEUE', queue_position: 0 });
    const progress = updates.filter((u) => u.status === 'IN_PROGRESS');
    expect(progress.length).toBeGreaterThan(2);
    const lastProgress = progress.at(-1)! as Extract<QueueStatus, { status: 'IN_PROGRESS' }>;
    expect(lastProgress.logs!.map((l) => l.message)).toEqual(expect.arrayContaining(['started', expect.stringContaining('step 4/4')]));
    expect(updates.at(-1)).toMatchObject({ status: 'COMPLETED', request_id: r.requestId });
    expect(updates.every((u) => u.request_id === r.requestId)).toBe(true);
  });

  it('subscribe behind a running request reports its queue position once, then progress', async () => {
    const { fal, gate } = setup();
    gate.auto = false;
    const first = await fal.queue.submit('fal-ai/trellis', { input: input('a') });
    const updates: QueueStatus[] = [];
    const second = fal.subscribe('fal-ai/trellis', { input: input('b'), onQueueUpdate: (s) => updates.push(s) });
    await flush();
    expect(updates).toEqual([expect.objectContaining({ status: 'IN_QUEUE', queue_position: 0 })]);
    gate.releaseAll();
    await fal.queue.result('fal-ai/trellis', { requestId: first.request_id });
    const r = await second;
    expect(updates.filter((u) => u.status === 'IN_QUEUE')).toHaveLength(1);
    expect(updates.at(-1)).toMatchObject({ status: 'COMPLETED', request_id: r.requestId });
  });

  it('runs submitted requests one at a time in order, with queue positions', async () => {
    const { fal, gate, engine } = setup();
    gate.auto = false;
    const a = await fal.queue.submit('fal-ai/trellis', { input: input('a') });
    const b = await fal.queue.submit('fal-ai/trellis/multi', { input: { image_urls: ['https://img.test/b.png'], ss_sampling_steps: 1, slat_sampling_steps: 1 } });
    const c = await fal.queue.submit('fal-ai/trellis', { input: input('c') });
    // a starts as soon as it is submitted, so b is next in line (position 0) and c behind it.
    expect([a.queue_position, b.queue_position, c.queue_position]).toEqual([0, 0, 1]);
    await flush();
    await flush();
    expect(await fal.queue.status('fal-ai/trellis', { requestId: a.request_id })).toMatchObject({ status: 'IN_PROGRESS', logs: null });
    expect(await fal.queue.status('fal-ai/trellis/multi', { requestId: b.request_id })).toMatchObject({ status: 'IN_QUEUE', queue_position: 0 });
    expect(await fal.queue.status('fal-ai/trellis', { requestId: c.request_id })).toMatchObject({ status: 'IN_QUEUE', queue_position: 1 });
    const withLogs = await fal.queue.status('fal-ai/trellis', { requestId: a.request_id, logs: true });
    expect(withLogs.status === 'IN_PROGRESS' && withLogs.logs!.length).toBeGreaterThan(0);
    gate.releaseAll();
    const [ra, rb, rc] = await Promise.all([
      fal.queue.result('fal-ai/trellis', { requestId: a.request_id }),
      fal.queue.result('fal-ai/trellis/multi', { requestId: b.request_id }),
      fal.queue.result('fal-ai/trellis', { requestId: c.request_id }),
    ]);
    expect(engine.log).toEqual(['start https://img.test/a.png', 'end https://img.test/a.png', 'start https://img.test/b.png', 'end https://img.test/b.png', 'start https://img.test/c.png', 'end https://img.test/c.png']);
    expect([ra.requestId, rb.requestId, rc.requestId]).toEqual([a.request_id, b.request_id, c.request_id]);
    expect(await fal.queue.status('fal-ai/trellis', { requestId: c.request_id })).toMatchObject({ status: 'COMPLETED' });
    // results stay available
    expect((await fal.queue.result('fal-ai/trellis', { requestId: a.request_id })).data).toBe(ra.data);
  });

  it('cancels a queued request without running it, and a running one via its signal', async () => {
    const { fal, gate, engine } = setup();
    gate.auto = false;
    const a = await fal.queue.submit('fal-ai/trellis', { input: input('a') });
    const b = await fal.queue.submit('fal-ai/trellis', { input: input('b') });
    await flush();
    await fal.queue.cancel('fal-ai/trellis', { requestId: b.request_id });
    expect(await fal.queue.status('fal-ai/trellis', { requestId: b.request_id })).toMatchObject({ status: 'COMPLETED', error_type: 'CANCELLED' });
    await fal.queue.cancel('fal-ai/trellis', { requestId: a.request_id });
    gate.releaseAll();
    await expect(fal.queue.result('fal-ai/trellis', { requestId: a.request_id })).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(fal.queue.result('fal-ai/trellis', { requestId: b.request_id })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(engine.log).toEqual(['start https://img.test/a.png']);
  });

  it('rejects invalid input at submit with the 422 detail', async () => {
    const { fal } = setup();
    const error = await fal.queue.submit('fal-ai/trellis', { input: { image_url: 'https://img.test/a.png', texture_size: 4096 } as never }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBe(422);
    expect(error.body.detail[0].loc).toEqual(['body', 'texture_size']);
  });

  it('rejects unknown endpoints, unknown request ids and endpoint mismatches clearly', async () => {
    const { fal } = setup();
    await expect(fal.subscribe('fal-ai/trellis-2' as never, { input: input('a') as never })).rejects.toThrow(/unknown endpoint "fal-ai\/trellis-2".*"fal-ai\/trellis" and "fal-ai\/trellis\/multi"/);
    await expect(fal.queue.status('fal-ai/trellis', { requestId: 'nope' })).rejects.toThrow(/unknown request id "nope"/);
    const a = await fal.queue.submit('fal-ai/trellis', { input: input('a') });
    await expect(fal.queue.result('fal-ai/trellis/multi', { requestId: a.request_id })).rejects.toThrow(/belongs to endpoint "fal-ai\/trellis"/);
    await fal.queue.result('fal-ai/trellis', { requestId: a.request_id });
  });

  it('keeps serving after a failed request', async () => {
    const { fal } = setup();
    const runner = createWorkerApi(null, { capabilities: async () => ({ webgpuApi: false, adapter: null, crossOriginIsolated: false, hardwareConcurrency: 1 }), fetch: serve });
    const broken = createFalClient(createTrellis({ modelsUrl: MODELS, runner, buildGlb: jsonGlb }));
    const failed = await broken.queue.submit('fal-ai/trellis', { input: input('a') });
    await expect(broken.queue.result('fal-ai/trellis', { requestId: failed.request_id })).rejects.toMatchObject({ code: 'MODEL_MISSING' });
    expect(await broken.queue.status('fal-ai/trellis', { requestId: failed.request_id, logs: true })).toMatchObject({ status: 'COMPLETED', error_type: 'MODEL_MISSING', logs: [expect.objectContaining({ message: 'started' }), expect.objectContaining({ level: 'ERROR' })] });
    const ok = await fal.run('fal-ai/trellis', { input: input('b') });
    expect(ok.data.seed).toBe(5);
  });
});
