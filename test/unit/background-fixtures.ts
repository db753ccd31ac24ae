// A u2net-like background model with a closed form, for the background-removal tests:
// d0 = Relu(0.5·R − 0.25·G − 0.25·B) of the normalised input (weights are powers of two, so
// ORT's float32 arithmetic and the Math.fround replica below agree bit for bit).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { concatChunks } from '../../src/convert/onnx/graph-builder.ts';
import type { RgbaImage } from '../../src/engine/image/rgba-image.ts';
import { u2netInputTensor, u2netMaskFromPrediction } from '../../src/engine/preprocess/rembg-u2net.ts';

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
