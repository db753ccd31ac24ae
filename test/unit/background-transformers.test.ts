// The transformers.js background remover in Node, on a self-made model folder in transformers.js
// layout (model_type "modnet" → transformers.js's background-removal pipeline, single input
// mapped from pixel_values, first output = mask), sharing the engine's onnxruntime-web.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configureOrt, ort } from '../../src/engine/ort/ort-runtime.ts';
import { transformersRemover } from '../../src/engine/background/transformers-remover.ts';
import { expectedModnetMask, opaqueTestImage, writeModnetFolder } from './background-fixtures.ts';
import { convertModel } from '../../src/convert/convert-model.ts';
import { writeTinyRepo } from '../../src/convert/fixtures/tiny-models.ts';
import { parseManifest, REQUIRED_COMPONENTS } from '../../src/models/manifest.ts';
import { createNodeEngine } from '../../src/engine/node-engine.ts';
import type { EngineOutput, EngineRequest } from '../../src/engine/protocol.ts';
import { naiveCutout } from '../../src/engine/preprocess/rembg-u2net.ts';
import { resizeLanczosRgb } from '../../src/engine/preprocess/pil-lanczos.ts';
import { writeFakeModelFolder } from './engine-fixture.ts';
import { pngDataUrl } from './background-fixtures.ts';

const work = mkdtempSync(path.join(tmpdir(), 'trellis-bg-tf-'));
beforeAll(() => {
  configureOrt();
  writeModnetFolder(path.join(work, 'models', 'background_removal'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('transformers.js background remover in Node', () => {
  it('runs the folder with the engine\'s ORT, offline, and returns the model\'s mask', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const img = opaqueTestImage(64, 48);
    const remove = await transformersRemover(pathToFileURL(path.join(work, 'models', 'background_removal')).href + '/', { dtype: 'fp32' }, 'wasm');
    const mask = await remove(img);
    const want = expectedModnetMask(img);
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
    const cutout = naiveCutout(resizeLanczosRgb(img, 120, 90), expectedModnetMask(img));
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
