// The engine end to end in Node on a folder of stand-in graphs: load (verified store, byte
// progress), generate from PNGs (alpha, background removal, use-as-is), request errors, model
// corruption, cancellation and the session release policies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, truncateSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { createNodeEngine } from '../../src/engine/node-engine.ts';
import { EngineError } from '../../src/engine/errors.ts';
import type { EngineRequest, ProgressEvent } from '../../src/engine/protocol.ts';
import { MemoryStore } from '../../src/engine/model-store/memory-store.ts';
import { u2netRemover } from '../../src/engine/background/u2net-remover.ts';
import { preprocessImage } from '../../src/engine/preprocess/preprocess-image.ts';
import { manifestBytes } from '../../src/models/manifest.ts';
import { writeFakeModelFolder } from './engine-fixture.ts';
import { fakeU2netGraph, runnerOf } from './engine-testkit.ts';

/** w×h image: an ellipse of colour `fg` on `bg`; alpha 0 outside when transparent. */
function png(w: number, h: number, fg: [number, number, number], bg: [number, number, number], transparent: boolean): { url: string; rgba: Uint8Array } {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    const inside = ((x - w * 0.55) / (w * 0.25)) ** 2 + ((y - h * 0.5) / (h * 0.3)) ** 2 < 1;
    const c = inside ? fg : bg;
    p.data[i] = c[0];
    p.data[i + 1] = c[1];
    p.data[i + 2] = c[2];
    p.data[i + 3] = inside || !transparent ? 255 : 0;
  }
  const bytes = PNG.sync.write(p);
  return { url: `data:image/png;base64,${bytes.toString('base64')}`, rgba: new Uint8Array(p.data) };
}

function req(images: string[], extra: Partial<EngineRequest> = {}): EngineRequest {
  return { images, seed: 11, ss_guidance_strength: 7.5, ss_sampling_steps: 3, slat_guidance_strength: 3, slat_sampling_steps: 3, multiimage_algo: 'stochastic', mesh_simplify: 0.95, texture_size: 512, ...extra };
}

const signal = () => new AbortController().signal;

describe('engine in Node on stand-in models', () => {
  let dir: string;
  let withBg: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'trellis-engine-'));
    writeFakeModelFolder(path.join(dir, 'plain'));
    withBg = path.join(dir, 'bg');
    writeFakeModelFolder(withBg, { background: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads with byte progress and generates deterministically from an RGBA image', async () => {
    const events: ProgressEvent[] = [];
    const { engine, info } = await createNodeEngine(path.join(dir, 'plain'), { releasePolicy: 'keep' }, (e) => events.push(e));
    try {
      const downloads = events.filter((e) => e.stage === 'download');
      const manifest = JSON.parse(readFileSync(path.join(dir, 'plain', 'manifest.json'), 'utf8'));
      expect(downloads.at(-1)!.loaded).toBe(manifestBytes(manifest));
      expect(downloads.at(-1)!.total).toBe(manifestBytes(manifest));
      expect(info.backend).toBe('wasm');
      expect(info.components).toEqual(['dinov2', 'ss_flow', 'ss_decoder', 'slat_flow', 'slat_decoder_mesh']);
      expect(events.find((e) => e.stage === 'load')?.message).toMatch(/backend wasm/);
      const image = png(120, 90, [200, 40, 30], [0, 0, 0], true).url;
      const a = await engine.generate(req([image]), undefined, signal());
      const b = await engine.generate(req([image]), undefined, signal());
      expect(a.backend).toBe('wasm');
      expect(a.seed).toBe(11);
      expect(a.mesh.count).toBeGreaterThan(0);
      expect(a.mesh.count % 64).toBe(0);
      expect(a.mesh.channels).toBe(101);
      expect(Array.from(a.mesh.coords)).toEqual(Array.from(b.mesh.coords));
      expect(Array.from(a.mesh.feats)).toEqual(Array.from(b.mesh.feats));
      for (const k of ['preprocess', 'conditioning', 'sparse_structure', 'structured_latent', 'mesh_decode', 'total']) expect(a.timings[k]).toBeGreaterThanOrEqual(0);
      // 'keep' holds every session it created.
      expect(engine.liveSessions().sort()).toEqual(['dinov2/main', 'slat_decoder_mesh/main', 'slat_flow/main', 'ss_decoder/main', 'ss_flow/main']);
      // Another seed, another structure.
      const c = await engine.generate(req([image], { seed: 12 }), undefined, signal());
      expect(Array.from(c.mesh.feats)).not.toEqual(Array.from(a.mesh.feats));
    } finally {
      await engine.dispose();
    }
  }, 300_000);

  it("'per-stage' releases every session after its stage", async () => {
    const { engine } = await createNodeEngine(path.join(dir, 'plain'), { releasePolicy: 'per-stage' });
    try {
      const out = await engine.generate(req([png(64, 64, [10, 200, 30], [0, 0, 0], true).url]), undefined, signal());
      expect(out.mesh.count).toBeGreaterThan(0);
      expect(engine.liveSessions()).toEqual([]);
    } finally {
      await engine.dispose();
    }
  }, 300_000);

  it('opaque images: NO_BACKGROUND_MODEL without a background model, unless use_image_as_is', async () => {
    const { engine } = await createNodeEngine(path.join(dir, 'plain'));
    try {
      const opaque = png(80, 60, [200, 30, 30], [20, 180, 20], false).url;
      const err = await engine.generate(req([opaque]), undefined, signal()).catch((e) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('NO_BACKGROUND_MODEL');
      expect((err as Error).message).toMatch(/background_removal/);
      const out = await engine.generate(req([opaque], { use_image_as_is: true }), undefined, signal());
      expect(out.mesh.count).toBeGreaterThan(0);
      // The engine is still usable after the error, and bad requests are BAD_REQUEST.
      const bad = await engine.generate(req([opaque], { ss_sampling_steps: 0 }), undefined, signal()).catch((e) => e);
      expect((bad as EngineError).code).toBe('BAD_REQUEST');
    } finally {
      await engine.dispose();
    }
  }, 300_000);

  it('background removal (u2net stand-in) cuts the red object out of the green background', async () => {
    const w = 160;
    const h = 120;
    const img = png(w, h, [220, 30, 30], [30, 200, 40], false);
    const runner = await runnerOf('background_removal', fakeU2netGraph().toBytes());
    const mask = await u2netRemover(runner)({ width: w, height: h, data: img.rgba });
    const at = (x: number, y: number) => mask[y * w + x];
    expect(at(Math.round(w * 0.55), h / 2)).toBeGreaterThan(200); // object centre
    expect(at(3, 3)).toBeLessThan(30); // background corner
    expect(at(w - 4, h - 4)).toBeLessThan(30);
    // Cut-out → crop: the object spans x in [0.3w, 0.8w] → the 518 crop is centred on it, with
    // transparent (black) surroundings at the corners.
    const out = await preprocessImage({ width: w, height: h, data: img.rgba }, { removeBackground: u2netRemover(runner) });
    expect(out.width).toBe(518);
    const px = (x: number, y: number) => Array.from(out.data.subarray((y * 518 + x) * 3, (y * 518 + x) * 3 + 3));
    expect(px(259, 259)[0]).toBeGreaterThan(150);
    expect(px(259, 259)[1]).toBeLessThan(60);
    expect(px(2, 2)).toEqual([0, 0, 0]);
    // And through the engine, from a model folder with a background_removal component.
    const { engine } = await createNodeEngine(withBg);
    try {
      const events: ProgressEvent[] = [];
      const r = await engine.generate(req([img.url]), (e) => events.push(e), signal());
      expect(r.mesh.count).toBeGreaterThan(0);
      expect(events.some((e) => e.stage === 'background_removal')).toBe(true);
    } finally {
      await engine.dispose();
    }
  }, 300_000);

  it('cancel mid stage 2 gives CANCELLED, and the next generation succeeds', async () => {
    const { engine } = await createNodeEngine(path.join(dir, 'plain'));
    try {
      const controller = new AbortController();
      const image = png(64, 64, [200, 40, 30], [0, 0, 0], true).url;
      const err = await engine.generate(req([image]), (e) => {
        if (e.stage === 'structured_latent' && e.step === 1) controller.abort();
      }, controller.signal).catch((e) => e);
      expect((err as EngineError).code).toBe('CANCELLED');
      const ok = await engine.generate(req([image]), undefined, signal());
      expect(ok.mesh.count).toBeGreaterThan(0);
    } finally {
      await engine.dispose();
    }
  }, 300_000);

  it('a corrupt, truncated or missing model file is MODEL_CORRUPT / MODEL_MISSING at load', async () => {
    const src = path.join(dir, 'plain');
    const cases: [string, (file: string) => void, string][] = [
      ['corrupt', (f) => { const b = readFileSync(f); b[b.length - 5] ^= 0xff; writeFileSync(f, b); }, 'MODEL_CORRUPT'],
      ['truncated', (f) => truncateSync(f, 100), 'MODEL_CORRUPT'],
      ['missing', (f) => rmSync(f), 'MODEL_MISSING'],
    ];
    for (const [label, damage, code] of cases) {
      const copy = path.join(dir, label);
      mkdirSync(copy, { recursive: true });
      for (const f of ['manifest.json', 'dinov2.onnx', 'ss_flow.onnx', 'ss_decoder.onnx', 'slat_flow.onnx', 'slat_decoder_mesh.onnx']) copyFileSync(path.join(src, f), path.join(copy, f));
      damage(path.join(copy, 'slat_flow.onnx'));
      const err = await createNodeEngine(copy).catch((e) => e);
      expect(err, label).toBeInstanceOf(EngineError);
      expect((err as EngineError).code, label).toBe(code);
      expect((err as Error).message, label).toMatch(/slat_flow\.onnx/);
    }
  }, 60_000);

  it('downloads are verified: one corrupt response is refetched, a persistently corrupt file is MODEL_CORRUPT', async () => {
    const good = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const sha = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', good)), (b) => b.toString(16).padStart(2, '0')).join('');
    const file = { path: 'x.bin', size: 8, sha256: sha, role: 'other' as const };
    let calls = 0;
    const flaky = async () => new Response(++calls === 1 ? new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9]) : good);
    const loaded: number[] = [];
    const data = await new MemoryStore(flaky).read('https://x/x.bin', file, (n) => loaded.push(n));
    expect(Array.from(data)).toEqual(Array.from(good));
    expect(calls).toBe(2);
    expect(loaded.at(-1)).toBe(8);
    const bad = await new MemoryStore(async () => new Response(new Uint8Array(8))).read('https://x/x.bin', file).catch((e) => e);
    expect((bad as EngineError).code).toBe('MODEL_CORRUPT');
    const long = await new MemoryStore(async () => new Response(new Uint8Array(12))).read('https://x/x.bin', file).catch((e) => e);
    expect((long as EngineError).code).toBe('MODEL_CORRUPT');
    const missing = await new MemoryStore(async () => new Response('no', { status: 404 })).read('https://x/x.bin', file).catch((e) => e);
    expect((missing as EngineError).code).toBe('MODEL_MISSING');
  });
});
