// A u2net-like background model with a closed form, for the background-removal tests:
// d0 = Relu(0.5·R − 0.25·G − 0.25·B) of the normalised input (weights are powers of two, so
// ORT's float32 arithmetic and the Math.fround replica below agree bit for bit).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { concatChunks } from '../../src/convert/onnx/graph-builder.ts';
import type { RgbaImage } from '../../src/engine/image/rgba-image.ts';
import { u2netInputTensor, u2netMaskFromPrediction } from '../../src/engine/preprocess/rembg-u2net.ts';
import { backgroundFileRole, backgroundGraphIO, listFilesRecursive, planBackgroundModel } from '../../src/convert/background-model.ts';
import { parseManifest, type ManifestV1 } from '../../src/models/manifest.ts';

export const MIX = [0.5, -0.25, -0.25] as const;
export const U2_SIZE = 320;

export function mixU2netGraph(size = U2_SIZE): GraphBuilder {
  const g = new GraphBuilder('mix_u2net');
  const x = g.input('input.1', 'float32', [1, 3, size, size]);
  const prod = g.op('Mul', [x, g.constant('float32', [1, 3, 1, 1], MIX, 'mix')]);
  const ch = (c: number) => g.op('Slice', [prod, g.i64([c]), g.i64([c + 1]), g.i64([1])]);
  const mix = g.op('Add', [g.op('Add', [ch(0), ch(1)]), ch(2)]);
  // Symbolic batch on the output: the manifest must carry it as a name.
  g.output(g.op('Relu', [mix]), 'd0', 'float32', ['batch', 1, size, size]);
  return g;
}

/** The graph above in TypeScript, same float32 operation order. */
export function mixU2netPrediction(input: Float32Array, size = U2_SIZE): Float32Array {
  const f = Math.fround;
  const plane = size * size;
  const out = new Float32Array(plane);
  for (let p = 0; p < plane; p++) {
    const v = f(f(f(input[p] * MIX[0]) + f(input[plane + p] * MIX[1])) + f(input[2 * plane + p] * MIX[2]));
    out[p] = v > 0 ? v : 0;
  }
  return out;
}

/** rembg's mask for `rgb` with this model, computed without ORT. */
export function expectedMixMask(rgb: RgbaImage, size = U2_SIZE): Uint8Array {
  const pred = mixU2netPrediction(u2netInputTensor(rgb, size), size);
  return u2netMaskFromPrediction(pred, [1, 1, size, size], rgb.width, rgb.height);
}

/** Writes the model as `u2netp.onnx` with its weights in `u2netp.onnx.data` (external data). */
export function writeMixU2netFolder(dir: string, size = U2_SIZE): void {
  mkdirSync(dir, { recursive: true });
  // Only the 12-byte weight goes external: ORT needs the int64 slice bounds inline.
  const ser = mixU2netGraph(size).serialize({ externalDataFile: 'u2netp.onnx.data', externalThreshold: 12 });
  writeFileSync(path.join(dir, 'u2netp.onnx'), concatChunks(ser.model));
  for (const s of ser.shards ?? []) writeFileSync(path.join(dir, s.file), concatChunks(s.chunks));
}

/** w×h opaque image: a red ellipse on a green background, with a blue gradient. */
export function opaqueTestImage(w: number, h: number): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    const inside = ((x - w * 0.55) / (w * 0.25)) ** 2 + ((y - h * 0.5) / (h * 0.3)) ** 2 < 1;
    data[i] = inside ? 220 : 30;
    data[i + 1] = inside ? 40 : 190;
    data[i + 2] = Math.round((x / w) * 120);
    data[i + 3] = 255;
  }
  return { width: w, height: h, data };
}

export function pngDataUrl(img: RgbaImage): string {
  const p = new PNG({ width: img.width, height: img.height });
  p.data.set(img.data);
  return `data:image/png;base64,${PNG.sync.write(p).toString('base64')}`;
}

// A transformers.js image-segmentation folder (model_type "modnet" → its background-removal
// pipeline: one input fed from pixel_values, the first output is the mask) with a closed form:
// mask = Clip(2·R − G − B, 0, 1) of the normalised pixels. Powers of two: ORT and the float32
// replica agree exactly, and the ellipse of opaqueTestImage saturates to 255 on a 0 ground.
export const MODNET_MIX = [2, -1, -1] as const;

export function modnetSegmenterGraph(): GraphBuilder {
  const g = new GraphBuilder('tiny_modnet');
  const x = g.input('input', 'float32', ['batch', 3, 'height', 'width']);
  const prod = g.op('Mul', [x, g.constant('float32', [1, 3, 1, 1], MODNET_MIX, 'mix')]);
  const ch = (c: number) => g.op('Slice', [prod, g.i64([c]), g.i64([c + 1]), g.i64([1])]);
  const mix = g.op('Add', [g.op('Add', [ch(0), ch(1)]), ch(2)]);
  g.output(g.op('Clip', [mix, g.f32([0], []), g.f32([1], [])]), 'output', 'float32', ['batch', 1, 'height', 'width']);
  return g;
}

/** config.json, preprocessor_config.json (rescale + normalise, no resize) and onnx/model.onnx. */
export function writeModnetFolder(dir: string): void {
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'modnet', architectures: ['MODNet'] }));
  writeFileSync(path.join(dir, 'preprocessor_config.json'), JSON.stringify({
    feature_extractor_type: 'ImageFeatureExtractor',
    do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5],
    do_rescale: true, rescale_factor: 1 / 255,
    do_resize: false, do_pad: false,
  }));
  writeFileSync(path.join(dir, 'onnx', 'model.onnx'), modnetSegmenterGraph().toBytes());
}

/** The folder's mask for `img`, computed without ORT (float32 steps as transformers.js does them). */
export function expectedModnetMask(img: RgbaImage): Uint8Array {
  const f = Math.fround;
  const out = new Uint8Array(img.width * img.height);
  for (let p = 0; p < out.length; p++) {
    const c = [0, 1, 2].map((k) => f(f(f(img.data[p * 4 + k] * f(1 / 255)) - 0.5) / 0.5));
    const v = f(f(f(c[0] * MODNET_MIX[0]) + f(c[1] * MODNET_MIX[1])) + f(c[2] * MODNET_MIX[2]));
    out[p] = Math.trunc(f(Math.min(1, Math.max(0, v)) * 255));
  }
  return out;
}

/**
 * Puts the modnet folder into the model folder at `<modelDir>/background_removal/` and adds its
 * background_removal component to `<modelDir>/manifest.json`, described the way convert does
 * (layout plan, graph I/O read from the protobuf, per-file size/sha256/role).
 */
export function addModnetBackground(modelDir: string, manifest: ManifestV1): ManifestV1 {
  const folder = 'background_removal';
  const dir = path.join(modelDir, folder);
  writeModnetFolder(dir);
  const plan = planBackgroundModel(dir, 'transformers');
  const { inputs, outputs } = backgroundGraphIO(path.join(dir, plan.graph), plan.kind);
  const files = listFilesRecursive(dir).map((rel) => {
    const bytes = readFileSync(path.join(dir, rel));
    return { path: `${folder}/${rel}`, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex'), role: backgroundFileRole(rel) };
  });
  const withBg: ManifestV1 = {
    ...manifest,
    components: {
      ...manifest.components,
      background_removal: {
        class: 'TransformersJsSegmentation',
        config: { kind: 'transformers', model: folder, dtype: plan.transformersDtype, source: folder },
        files, inputs, outputs, dtype: plan.dtype,
      },
    },
  };
  writeFileSync(path.join(modelDir, 'manifest.json'), JSON.stringify(parseManifest(JSON.stringify(withBg)), null, 2));
  return withBg;
}
