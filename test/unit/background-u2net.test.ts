// Background removal end to end with a u2net-style model: convert --background-model puts it in
// the manifest with its real I/O, and the Node engine cuts an opaque image out with it exactly
// as rembg would (mask from the graph's closed form, then the reference preprocessing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { convertModel } from '../../src/convert/convert-model.ts';
import { writeTinyRepo } from '../../src/convert/fixtures/tiny-models.ts';
import { parseManifest, REQUIRED_COMPONENTS, type ManifestV1 } from '../../src/models/manifest.ts';
import { createNodeEngine } from '../../src/engine/node-engine.ts';
import { EngineError } from '../../src/engine/errors.ts';
import type { EngineOutput, EngineRequest, ProgressEvent } from '../../src/engine/protocol.ts';
import { u2netRemover } from '../../src/engine/background/u2net-remover.ts';
import { cropAndPremultiply, preprocessImage } from '../../src/engine/preprocess/preprocess-image.ts';
import { naiveCutout } from '../../src/engine/preprocess/rembg-u2net.ts';
import { resizeLanczosRgb } from '../../src/engine/preprocess/pil-lanczos.ts';
import { writeFakeModelFolder } from './engine-fixture.ts';
import { runnerOf } from './engine-testkit.ts';
import { expectedMixMask, mixU2netGraph, opaqueTestImage, pngDataUrl, writeMixU2netFolder } from './background-fixtures.ts';

ort.env.wasm.numThreads = 1;
const work = mkdtempSync(path.join(tmpdir(), 'trellis-bg-u2net-'));
const u2dir = path.join(work, 'u2netp');
let converted: ManifestV1;
let convertedDir = '';

function req(images: string[], extra: Partial<EngineRequest> = {}): EngineRequest {
  return { images, seed: 5, ss_guidance_strength: 7.5, ss_sampling_steps: 2, slat_guidance_strength: 3, slat_sampling_steps: 2, multiimage_algo: 'stochastic', mesh_simplify: 0.95, texture_size: 512, ...extra };
}
const signal = () => new AbortController().signal;
const same = (a: EngineOutput, b: EngineOutput) => {
  expect(a.mesh.feats.length).toBe(a.mesh.count * a.mesh.channels);
  expect(a.mesh.count).toBeGreaterThan(0);
  return a.mesh.count === b.mesh.count && a.mesh.feats.every((v, i) => v === b.mesh.feats[i]) && a.mesh.coords.every((v, i) => v === b.mesh.coords[i]);
};

beforeAll(async () => {
  writeMixU2netFolder(u2dir);
  const { repoDir } = await writeTinyRepo(work, { seed: 2 });
  convertedDir = path.join(work, 'out', 'tiny-bg');
  // Only the required networks (no DINOv2 / Gaussian decoder): the point here is the
  // background_removal component, which is copied and described, not converted.
  const r = await convertModel({ from: repoDir, out: convertedDir, dtype: 'fp16', components: [...REQUIRED_COMPONENTS], backgroundModel: u2dir });
  converted = r.manifest;
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('background removal with a u2net-style model', () => {
  it('convert: the manifest parses and describes the graph with its real I/O, files and roles', () => {
    const m = parseManifest(readFileSync(path.join(convertedDir, 'manifest.json'), 'utf8'));
    const bg = m.components.background_removal!;
    expect(bg.config).toEqual({ kind: 'u2net', source: 'u2netp' });
    expect(bg.inputs).toEqual([{ name: 'input.1', dtype: 'float32', shape: [1, 3, 320, 320] }]);
    expect(bg.outputs).toEqual([{ name: 'd0', dtype: 'float32', shape: ['batch', 1, 320, 320] }]);
    expect(bg.files.map((f) => [f.path, f.role])).toEqual([
      ['background_removal/u2netp.onnx', 'graph'],
      ['background_removal/u2netp.onnx.data', 'external_data'],
    ]);
    for (const f of bg.files) expect(readFileSync(path.join(convertedDir, f.path)).length).toBe(f.size);
    expect(converted.components.background_removal).toEqual(bg);
  });

  it('the engine cuts an opaque image out with the mask the graph computes', async () => {
    const w = 150;
    const h = 110;
    const img = opaqueTestImage(w, h);
    const mask = expectedMixMask(img);
    // The mask is a real cut-out: foreground in the ellipse, background at the corners.
    expect(mask[Math.round(h / 2) * w + Math.round(w * 0.55)]).toBeGreaterThan(150);
    expect(mask[3 * w + 3]).toBe(0);
    const runner = await runnerOf('background_removal', mixU2netGraph().toBytes());
    expect(Array.from(await u2netRemover(runner)(img))).toEqual(Array.from(mask));
    await runner.release();

    // What the conditioning image must be: the reference preprocessing with that mask.
    const cutout = naiveCutout(resizeLanczosRgb(img, w, h), mask);
    const expectedCond = cropAndPremultiply(cutout);
    const viaPreprocess = await preprocessImage(img, { removeBackground: async () => mask });
    expect(Buffer.from(viaPreprocess.data).equals(Buffer.from(expectedCond.data))).toBe(true);

    // A model folder: stand-in networks + the converted background_removal component.
    const folder = path.join(work, 'engine-bg');
    const manifest = writeFakeModelFolder(folder);
    cpSync(path.join(convertedDir, 'background_removal'), path.join(folder, 'background_removal'), { recursive: true });
    manifest.components.background_removal = converted.components.background_removal;
    writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(parseManifest(manifest)));

    const { engine, info } = await createNodeEngine(folder, { releasePolicy: 'keep' });
    try {
      expect(info.components).toContain('background_removal');
      const events: ProgressEvent[] = [];
      const removed = await engine.generate(req([pngDataUrl(img)]), (e) => events.push(e), signal());
      expect(events.some((e) => e.stage === 'background_removal')).toBe(true);
      // Same seed, the expected cut-out given directly as an RGBA image (used as is): the
      // generation is identical exactly when the conditioning image is.
      const direct = await engine.generate(req([pngDataUrl(cutout)]), undefined, signal());
      expect(same(removed, direct)).toBe(true);
      // And the test can fail: the whole image as foreground conditions differently.
      const asIs = await engine.generate(req([pngDataUrl(img)], { use_image_as_is: true }), undefined, signal());
      expect(same(removed, asIs)).toBe(false);
    } finally {
      await engine.dispose();
    }
  }, 300_000);

  it('opaque image without a background model: NO_BACKGROUND_MODEL saying how to add one; use_image_as_is proceeds', async () => {
    const folder = path.join(work, 'engine-plain');
    writeFakeModelFolder(folder);
    const img = opaqueTestImage(90, 70);
    const { engine } = await createNodeEngine(folder);
    try {
      const err = await engine.generate(req([pngDataUrl(img)]), undefined, signal()).catch((e) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('NO_BACKGROUND_MODEL');
      expect((err as Error).message).toMatch(/--background-model/);
      // Named as the site, the JS API and the CLI name it (not the engine-internal use_image_as_is).
      expect((err as Error).message).toMatch(/"Use the image as-is" on the site, useImageAsIs in the JS API, --use-image-as-is on the CLI/);
      const out = await engine.generate(req([pngDataUrl(img)], { use_image_as_is: true }), undefined, signal());
      expect(out.mesh.count).toBeGreaterThan(0);
      // use_image_as_is = the whole image as foreground: same as feeding it with alpha 255 from a
      // folder that has no remover but a cut-out mask of all 255.
      const whole = cropAndPremultiply(naiveCutout(resizeLanczosRgb(img, 90, 70), new Uint8Array(90 * 70).fill(255)));
      expect(Buffer.from((await preprocessImage(img, { useImageAsIs: true })).data).equals(Buffer.from(whole.data))).toBe(true);
    } finally {
      await engine.dispose();
    }
  }, 300_000);
});
