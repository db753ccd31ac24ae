// The transformers.js background remover in Node, on a self-made model folder in transformers.js
// layout (model_type "modnet" → transformers.js's background-removal pipeline, single input
// mapped from pixel_values, first output = mask), sharing the engine's onnxruntime-web.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { configureOrt, ort } from '../../src/engine/ort/ort-runtime.ts';
import { transformersRemover } from '../../src/engine/background/transformers-remover.ts';
import { opaqueTestImage } from './background-fixtures.ts';

/** Powers of two: ORT and the float32 replica agree exactly; large enough to saturate the object. */
const MIX = [2, -1, -1];
import type { RgbaImage } from '../../src/engine/image/rgba-image.ts';
import { convertModel } from '../../src/convert/convert-model.ts';
import { writeTinyRepo } from '../../src/convert/fixtures/tiny-models.ts';
import { parseManifest, REQUIRED_COMPONENTS } from '../../src/models/manifest.ts';
import { createNodeEngine } from '../../src/engine/node-engine.ts';
import type { EngineOutput, EngineRequest } from '../../src/engine/protocol.ts';
import { naiveCutout } from '../../src/engine/preprocess/rembg-u2net.ts';
import { resizeLanczosRgb } from '../../src/engine/preprocess/pil-lanczos.ts';
import { writeFakeModelFolder } from './engine-fixture.ts';
import { pngDataUrl } from './background-fixtures.ts';

/** mask = Clip(2·R − G − B, 0, 1) of the pixel_values transformers.js feeds. */
function tinySegmenter(): GraphBuilder {
  const g = new GraphBuilder('tiny_modnet');
  const x = g.input('input', 'float32', ['batch', 3, 'height', 'width']);
  const prod = g.op('Mul', [x, g.constant('float32', [1, 3, 1, 1], MIX, 'mix')]);
  const ch = (c: number) => g.op('Slice', [prod, g.i64([c]), g.i64([c + 1]), g.i64([1])]);
  const mix = g.op('Add', [g.op('Add', [ch(0), ch(1)]), ch(2)]);
  g.output(g.op('Clip', [mix, g.f32([0], []), g.f32([1], [])]), 'output', 'float32', ['batch', 1, 'height', 'width']);
  return g;
}

export function writeTransformersFolder(dir: string): void {
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'modnet', architectures: ['MODNet'] }));
  writeFileSync(path.join(dir, 'preprocessor_config.json'), JSON.stringify({
    feature_extractor_type: 'ImageFeatureExtractor',
    do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5],
    do_rescale: true, rescale_factor: 1 / 255,
    do_resize: false, do_pad: false,
  }));
  writeFileSync(path.join(dir, 'onnx', 'model.onnx'), tinySegmenter().toBytes());
}

/** The same computation in TypeScript (float32 steps as transformers.js does them). */
function expectedMask(img: RgbaImage): Uint8Array {
  const f = Math.fround;
  const out = new Uint8Array(img.width * img.height);
  for (let p = 0; p < out.length; p++) {
    const c = [0, 1, 2].map((k) => f(f(f(img.data[p * 4 + k] * f(1 / 255)) - 0.5) / 0.5));
    const v = f(f(f(c[0] * MIX[0]) + f(c[1] * MIX[1])) + f(c[2] * MIX[2]));
    out[p] = Math.trunc(f(Math.min(1, Math.max(0, v)) * 255));
  }
  return out;
}

const work = mkdtempSync(path.join(tmpdir(), 'trellis-bg-tf-'));
beforeAll(() => {
  configureOrt();
  writeTransformersFolder(path.join(work, 'models', 'background_removal'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('transformers.js background remover in Node', () => {
  it('runs the folder with the engine\'s ORT, offline, and returns the model\'s mask', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const img = opaqueTestImage(64, 48);
    const remove = await transformersRemover(pathToFileURL(path.join(work, 'models', 'background_removal')).href + '/', { dtype: 'fp32' }, 'wasm');
    const mask = await remove(img);
    const want = expectedMask(img);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(mask[i] - want[i]));
    expect(maxDiff).toBe(0);
    expect(Math.max(...want)).toBeGreaterThan(100);
    expect(Math.min(...want)).toBe(0);
    expect(fetchSpy).not.toHaveBeenCalled();
    // transformers.js's import set a CDN wasmPaths and its own log level on the shared ORT env.
    expect(ort.env.wasm.wasmPaths).toBeUndefined();
    expect(((globalThis as Record<symbol, unknown>)[Symbol.for('onnxruntime')] as { env: unknown }).env).toBe(ort.env);
    fetchSpy.mockRestore();
  }, 120_000);
});

function req(images: string[], extra: Partial<EngineRequest> = {}): EngineRequest {
  return { images, seed: 8, ss_guidance_strength: 7.5, ss_sampling_steps: 2, slat_guidance_strength: 3, slat_sampling_steps: 2, multiimage_algo: 'stochastic', mesh_simplify: 0.95, texture_size: 512, ...extra };
}
const same = (a: EngineOutput, b: EngineOutput) => {
  expect(a.mesh.count).toBeGreaterThan(0);
  expect(a.mesh.feats.length).toBe(a.mesh.count * a.mesh.channels);
  return a.mesh.count === b.mesh.count && a.mesh.feats.every((v, i) => v === b.mesh.feats[i]);
};

describe('transformers.js background model through convert and the engine', () => {
  it('convert detects the layout; the engine cuts the opaque image out with the model\'s mask', async () => {
    const { repoDir } = await writeTinyRepo(work, { seed: 4 });
    const out = path.join(work, 'out', 'tiny-tf');
    const r = await convertModel({ from: repoDir, out, dtype: 'fp16', components: [...REQUIRED_COMPONENTS], backgroundModel: path.join(work, 'models', 'background_removal') });
    const bg = parseManifest(readFileSync(path.join(out, 'manifest.json'), 'utf8')).components.background_removal!;
    expect(bg.config).toEqual({ kind: 'transformers', model: 'background_removal', dtype: 'fp32', source: 'background_removal' });
    expect(bg.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 3, 'height', 'width'] }]);
    expect(bg.outputs).toEqual([{ name: 'output', dtype: 'float32', shape: ['batch', 1, 'height', 'width'] }]);
    expect(bg.files.map((f) => [f.path, f.role])).toEqual([
      ['background_removal/config.json', 'other'],
      ['background_removal/onnx/model.onnx', 'graph'],
      ['background_removal/preprocessor_config.json', 'other'],
    ]);

    const folder = path.join(work, 'engine-tf');
    const manifest = writeFakeModelFolder(folder);
    cpSync(path.join(out, 'background_removal'), path.join(folder, 'background_removal'), { recursive: true });
    manifest.components.background_removal = r.manifest.components.background_removal;
    writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(parseManifest(manifest)));
    const img = opaqueTestImage(120, 90);
    const cutout = naiveCutout(resizeLanczosRgb(img, 120, 90), expectedMask(img));
    const { engine } = await createNodeEngine(folder, { releasePolicy: 'keep' });
    try {
      const removed = await engine.generate(req([pngDataUrl(img)]), undefined, new AbortController().signal);
      const direct = await engine.generate(req([pngDataUrl(cutout)]), undefined, new AbortController().signal);
      expect(same(removed, direct)).toBe(true);
      const asIs = await engine.generate(req([pngDataUrl(img)], { use_image_as_is: true }), undefined, new AbortController().signal);
      expect(same(removed, asIs)).toBe(false);
    } finally {
      await engine.dispose();
    }
  }, 300_000);
});
