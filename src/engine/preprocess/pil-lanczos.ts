// Pillow's LANCZOS resize (Image.resize + libImaging/Resample.c), reproduced to the bit so the
// port sees exactly the pixels the reference model saw.
//
// What Pillow does, and this module repeats:
// - separable Lanczos-3 (sinc(x)·sinc(x/3) on [-3, 3)), support scaled by max(1, in/out);
// - coefficients normalised in float64, then fixed point with PRECISION_BITS = 32 - 8 - 2 = 22,
//   rounded half away from zero; accumulation starts at 1 << 21 and each pass ends in clip8
//   (arithmetic shift by 22, clamp to 0..255), so the intermediate image is 8-bit;
// - horizontal pass first, then vertical; a pass is skipped when its axis is unchanged;
// - `box` corners are C floats (float32) and the scale is (float)(in1 - in0) / out in double;
// - an integer box whose size equals the output size is a plain crop (no filtering);
// - RGBA (mode "RGBA") is premultiplied with MULDIV255, resampled as 4 bands and
//   un-premultiplied with min(255, floor(255·c / a)) (a ∉ {0, 255}); RGB and L are resampled
//   straight; same size with the default box returns a copy (no premultiply round trip).
// `reducing_gap` is None for Image.resize by default, so there is no reduce() pre-step.
import type { RgbaImage } from '../image/rgba-image.ts';
import { assertRgbaImage } from '../image/rgba-image.ts';

const PRECISION_BITS = 32 - 8 - 2;
const LANCZOS_SUPPORT = 3;

/** Source rectangle in input pixels (Pillow's `box`: left, upper, right, lower). */
export interface ResampleBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

function lanczos(x: number): number {
  return -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

interface Coeffs {
  ksize: number;
  /** Per output index: first input index and number of taps. */
  bounds: Int32Array;
  /** outSize * ksize fixed-point weights. */
  kk: Int32Array;
}

/** precompute_coeffs + normalize_coeffs_8bpc. in0/in1 must already be float32 values. */
export function precomputeLanczosCoeffs(inSize: number, in0: number, in1: number, outSize: number): Coeffs {
  const scale = Math.fround(in1 - in0) / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = LANCZOS_SUPPORT * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  const one = 2 ** PRECISION_BITS;
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const v = lanczos((x + xmin - center + 0.5) * ss);
      w[x] = v;
      ww += v;
    }
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? w[x] / ww : w[x];
      kk[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * one) : Math.trunc(0.5 + k * one);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** A band-interleaved 8-bit raster: `bands` values per pixel, the first `active` of them are
 *  resampled, the rest are written as `fill` (Pillow's padding byte in RGB mode). */
interface Raster {
  width: number;
  height: number;
  bands: number;
  data: Uint8Array | Uint8ClampedArray;
}

function horizontalPass(src: Raster, active: number, fill: number, rowOffset: number, rows: number, outW: number, c: Coeffs): Raster {
  const { bands } = src;
  const out = new Uint8Array(outW * rows * bands);
  const half = 1 << (PRECISION_BITS - 1);
  const acc = new Float64Array(active);
  for (let yy = 0; yy < rows; yy++) {
    const rowBase = (yy + rowOffset) * src.width * bands;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = c.bounds[xx * 2];
      const n = c.bounds[xx * 2 + 1];
      const kOff = xx * c.ksize;
      acc.fill(half);
      for (let x = 0; x < n; x++) {
        const k = c.kk[kOff + x];
        const p = rowBase + (x + xmin) * bands;
        for (let b = 0; b < active; b++) acc[b] += src.data[p + b] * k;
      }
      const o = (yy * outW + xx) * bands;
      for (let b = 0; b < active; b++) out[o + b] = clip8(acc[b]);
      for (let b = active; b < bands; b++) out[o + b] = fill;
    }
  }
  return { width: outW, height: rows, bands, data: out };
}

function verticalPass(src: Raster, active: number, fill: number, outH: number, c: Coeffs, boundShift: number): Raster {
  const { bands, width } = src;
  const out = new Uint8Array(width * outH * bands);
  const half = 1 << (PRECISION_BITS - 1);
  const acc = new Float64Array(active);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = c.bounds[yy * 2] - boundShift;
    const n = c.bounds[yy * 2 + 1];
    const kOff = yy * c.ksize;
    for (let xx = 0; xx < width; xx++) {
      acc.fill(half);
      for (let y = 0; y < n; y++) {
        const k = c.kk[kOff + y];
        const p = ((y + ymin) * width + xx) * bands;
        for (let b = 0; b < active; b++) acc[b] += src.data[p + b] * k;
      }
      const o = (yy * width + xx) * bands;
      for (let b = 0; b < active; b++) out[o + b] = clip8(acc[b]);
      for (let b = active; b < bands; b++) out[o + b] = fill;
    }
  }
  return { width, height: outH, bands, data: out };
}

function cropRaster(src: Raster, x0: number, y0: number, w: number, h: number): Raster {
  const { bands } = src;
  const out = new Uint8Array(w * h * bands);
  for (let y = 0; y < h; y++) {
    const s = ((y + y0) * src.width + x0) * bands;
    out.set(src.data.subarray(s, s + w * bands), y * w * bands);
  }
  return { width: w, height: h, bands, data: out };
}

/** _imaging.c `_resize` + ImagingResampleInner for the LANCZOS filter. */
function resampleRaster(src: Raster, active: number, fill: number, outW: number, outH: number, box: ResampleBox): Raster {
  const b0 = Math.fround(box.x0), b1 = Math.fround(box.y0), b2 = Math.fround(box.x1), b3 = Math.fround(box.y1);
  if (!(outW >= 1 && outH >= 1) || !Number.isInteger(outW) || !Number.isInteger(outH)) {
    throw new Error(`Lanczos resize: output size must be positive integers, got ${outW}x${outH}`);
  }
  if (b0 < 0 || b1 < 0) throw new Error(`Lanczos resize: box offset can't be negative (${box.x0}, ${box.y0})`);
  if (b2 > src.width || b3 > src.height) {
    throw new Error(`Lanczos resize: box (${box.x1}, ${box.y1}) exceeds the ${src.width}x${src.height} input`);
  }
  if (b2 - b0 < 0 || b3 - b1 < 0) throw new Error('Lanczos resize: box is empty');
  if (src.width < 1 || src.height < 1) throw new Error(`Lanczos resize: input is empty (${src.width}x${src.height})`);

  // An integer box of exactly the output size is cut out, not filtered.
  if (b0 === Math.trunc(b0) && b2 - b0 === outW && b1 === Math.trunc(b1) && b3 - b1 === outH) {
    return cropRaster(src, b0, b1, outW, outH);
  }

  // Pillow compares box[2] with the OUTPUT width here (not the input width); kept as is.
  const needH = outW !== src.width || b0 !== 0 || b2 !== outW;
  const needV = outH !== src.height || b1 !== 0 || b3 !== outH;

  const vert = precomputeLanczosCoeffs(src.height, b1, b3, outH);
  const yFirst = vert.bounds[0];
  const yLast = vert.bounds[outH * 2 - 2] + vert.bounds[outH * 2 - 1];

  let cur = src;
  let shift = 0;
  if (needH) {
    const horiz = precomputeLanczosCoeffs(src.width, b0, b2, outW);
    // Only the rows the vertical pass reads are filtered horizontally.
    cur = horizontalPass(src, active, fill, yFirst, yLast - yFirst, outW, horiz);
    shift = yFirst;
  }
  if (needV) cur = verticalPass(cur, active, fill, outH, vert, shift);
  if (cur === src) cur = { ...src, data: Uint8Array.from(src.data) };
  return cur;
}

function fullBox(width: number, height: number): ResampleBox {
  return { x0: 0, y0: 0, x1: width, y1: height };
}

function isFullBox(box: ResampleBox, width: number, height: number): boolean {
  return box.x0 === 0 && box.y0 === 0 && box.x1 === width && box.y1 === height;
}

/** MULDIV255: round(a·b/255) in integers, as Pillow's Imaging.h defines it. */
export function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/** RGBA -> RGBa (Convert.c rgbA2rgba). */
export function premultiplyRgba(src: Uint8Array | Uint8ClampedArray): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += 4) {
    const a = src[i + 3];
    out[i] = mulDiv255(src[i], a);
    out[i + 1] = mulDiv255(src[i + 1], a);
    out[i + 2] = mulDiv255(src[i + 2], a);
    out[i + 3] = a;
  }
  return out;
}

/** RGBa -> RGBA in place (Convert.c rgba2rgbA): integer division truncates, then clip. */
export function unpremultiplyRgbaInPlace(d: Uint8Array): void {
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3];
    if (a === 0 || a === 255) continue;
    for (let c = 0; c < 3; c++) {
      const v = Math.floor((255 * d[i + c]) / a);
      d[i + c] = v > 255 ? 255 : v;
    }
  }
}

function copyImage(img: RgbaImage): RgbaImage {
  return { width: img.width, height: img.height, data: Uint8Array.from(img.data) };
}

/** `img.resize((w, h), LANCZOS, box)` for a mode-"RGBA" image (premultiplied resample). */
export function resizeLanczosRgba(img: RgbaImage, outW: number, outH: number, box: ResampleBox = fullBox(img.width, img.height)): RgbaImage {
  assertRgbaImage(img, 'resizeLanczosRgba input');
  if (outW === img.width && outH === img.height && isFullBox(box, img.width, img.height)) return copyImage(img);
  const pre: Raster = { width: img.width, height: img.height, bands: 4, data: premultiplyRgba(img.data) };
  const out = resampleRaster(pre, 4, 0, outW, outH, box);
  const data = out.data as Uint8Array;
  unpremultiplyRgbaInPlace(data);
  return { width: out.width, height: out.height, data };
}

/** `img.convert('RGB').resize((w, h), LANCZOS, box)`: the alpha channel of the input is
 *  ignored and the output is opaque. */
export function resizeLanczosRgb(img: RgbaImage, outW: number, outH: number, box: ResampleBox = fullBox(img.width, img.height)): RgbaImage {
  assertRgbaImage(img, 'resizeLanczosRgb input');
  if (outW === img.width && outH === img.height && isFullBox(box, img.width, img.height)) {
    const out = copyImage(img);
    for (let i = 3; i < out.data.length; i += 4) out.data[i] = 255;
    return out;
  }
  const out = resampleRaster({ width: img.width, height: img.height, bands: 4, data: img.data }, 3, 255, outW, outH, box);
  return { width: out.width, height: out.height, data: out.data };
}

/** Mode-"L" (single band) resize: `mask.resize((w, h), LANCZOS)`. */
export function resizeLanczosGray(data: Uint8Array | Uint8ClampedArray, width: number, height: number, outW: number, outH: number): Uint8Array {
  if (data.length !== width * height) throw new Error(`resizeLanczosGray: ${data.length} bytes for ${width}x${height}`);
  if (outW === width && outH === height) return Uint8Array.from(data);
  return resampleRaster({ width, height, bands: 1, data }, 1, 0, outW, outH, fullBox(width, height)).data as Uint8Array;
}
