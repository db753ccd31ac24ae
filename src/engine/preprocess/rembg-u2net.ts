// rembg's u2net session around any u2net-like ONNX model (rembg sessions/base.py normalize,
// sessions/u2net.py predict, bg.py naive_cutout), as pure functions: the engine runs the model,
// these reproduce what rembg does before and after it.
import { EngineError } from '../errors.ts';
import type { RgbaImage } from '../image/rgba-image.ts';
import { assertRgbaImage } from '../image/rgba-image.ts';
import { IMAGENET_MEAN, IMAGENET_STD } from './imagenet-stats.ts';
import { mulDiv255, resizeLanczosGray, resizeLanczosRgb } from './pil-lanczos.ts';

export const U2NET_INPUT_SIZE = 320;

/** The u2net input [1, 3, size, size] float32 (NCHW): RGB Lanczos-resized to size², divided by
 *  the largest channel value of the resized image (not by 255), then ImageNet-normalised. rembg
 *  does the arithmetic in float64 and casts to float32 at the end; so does this. */
export function u2netInputTensor(rgb: RgbaImage, size = U2NET_INPUT_SIZE): Float32Array {
  assertRgbaImage(rgb, 'u2net input image');
  const small = resizeLanczosRgb(rgb, size, size);
  const d = small.data;
  let max = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] > max) max = d[i];
    if (d[i + 1] > max) max = d[i + 1];
    if (d[i + 2] > max) max = d[i + 2];
  }
  const div = Math.max(max, 1e-6);
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      out[c * plane + p] = (d[p * 4 + c] / div - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
    }
  }
  return out;
}

/** rembg's mask from the model's first output ([N, C, H, W], dims given): channel 0 of batch 0,
 *  min–max normalised in float32 over the whole map, clipped to [0, 1], ×255 truncated to uint8,
 *  then Lanczos-resized (mode L) to outW×outH. */
export function u2netMaskFromPrediction(pred: Float32Array, dims: readonly number[], outW: number, outH: number): Uint8Array {
  if (dims.length !== 4) throw new Error(`u2net output must be [N, C, H, W], got [${dims.join(', ')}]`);
  const [n, c, h, w] = dims;
  if (pred.length !== n * c * h * w || n < 1 || c < 1) {
    throw new Error(`u2net output has ${pred.length} values, dims [${dims.join(', ')}] need ${n * c * h * w}`);
  }
  const map = pred.subarray(0, h * w); // batch 0, channel 0
  let mi = Infinity;
  let ma = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (v < mi) mi = v;
    if (v > ma) ma = v;
  }
  if (!(ma > mi)) {
    // rembg divides by zero here (NaN mask); a flat prediction has no foreground to offer.
    throw new EngineError('NO_FOREGROUND', `background removal found no foreground: the model's mask is constant (${ma})`);
  }
  const f = Math.fround;
  const range = f(ma - mi);
  const small = new Uint8Array(h * w);
  for (let i = 0; i < map.length; i++) {
    let v = f(f(map[i] - mi) / range);
    if (v < 0) v = 0;
    else if (v > 1) v = 1;
    small[i] = Math.trunc(f(v * 255));
  }
  return resizeLanczosGray(small, w, h, outW, outH);
}

/** rembg naive_cutout: Image.composite(rgb, transparent black, mask). Pillow's paste with an L
 *  mask blends c·m/255 with DIV255 rounding, so RGB = round(c·m/255) and A = m. The colour is
 *  therefore already scaled by the mask once. */
export function naiveCutout(rgb: RgbaImage, mask: Uint8Array): RgbaImage {
  assertRgbaImage(rgb, 'cutout image');
  const n = rgb.width * rgb.height;
  if (mask.length !== n) {
    throw new Error(`background mask has ${mask.length} values, the ${rgb.width}x${rgb.height} image needs ${n}`);
  }
  const out = new Uint8Array(n * 4);
  const d = rgb.data;
  for (let p = 0; p < n; p++) {
    const m = mask[p];
    const i = p * 4;
    out[i] = mulDiv255(d[i], m);
    out[i + 1] = mulDiv255(d[i + 1], m);
    out[i + 2] = mulDiv255(d[i + 2], m);
    out[i + 3] = m;
  }
  return { width: rgb.width, height: rgb.height, data: out };
}
