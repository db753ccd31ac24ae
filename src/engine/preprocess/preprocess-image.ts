// TRELLIS preprocess_image (pipeline.md §1.1–1.2): alpha or background removal, crop a 1.2x
// square around the alpha > 0.8 box, Lanczos to 518, premultiply in float32 -> RGB uint8.
import { EngineError } from '../errors.ts';
import type { RgbaImage } from '../image/rgba-image.ts';
import { assertRgbaImage, hasTransparency } from '../image/rgba-image.ts';
import { cropRgbaZeroPad, pilCropBox, type IntBox } from './pil-crop.ts';
import { resizeLanczosRgb, resizeLanczosRgba } from './pil-lanczos.ts';
import { naiveCutout } from './rembg-u2net.ts';

export const CONDITION_SIZE = 518;
/** Largest side given to background removal (the reference's 1024 cap). */
export const BACKGROUND_REMOVAL_MAX_SIDE = 1024;
/** The reference tests alpha > 0.8 * 255, i.e. alpha > 204 for integer alpha. */
const FOREGROUND_ALPHA = 0.8 * 255;

/** 8-bit RGB, row-major, 3 bytes per pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Returns the foreground mask (one byte per pixel, 255 = foreground) for an opaque RGB image
 *  (given as RgbaImage with alpha 255), like rembg's u2net session. */
export type BackgroundRemover = (rgb: RgbaImage) => Promise<Uint8Array>;

export interface PreprocessOptions {
  removeBackground?: BackgroundRemover;
  /** Opaque input is used whole (all foreground), with or without a remover. */
  useImageAsIs?: boolean;
}

/** Inclusive pixel bounds of alpha > 204 (x1, y1 are the last such column/row). */
export interface ForegroundBounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function foregroundBounds(img: RgbaImage): ForegroundBounds | null {
  const { width, height, data } = img;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    for (let x = 0; x < width; x++) {
      if (data[row + x * 4 + 3] > FOREGROUND_ALPHA) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/** The reference's square crop box: centre in float64, side trunc(max(w, h) * 1.2) with
 *  w = x1 - x0 (inclusive indices, no +1), then PIL's half-to-even rounding of each edge. */
export function conditionCropBox(b: ForegroundBounds): IntBox {
  const cx = (b.x0 + b.x1) / 2;
  const cy = (b.y0 + b.y1) / 2;
  const size = Math.trunc(Math.max(b.x1 - b.x0, b.y1 - b.y0) * 1.2);
  const h = Math.floor(size / 2);
  return pilCropBox(cx - h, cy - h, cx + h, cy + h);
}

/** §1.2 on an RGBA image: crop around the foreground, Lanczos (RGBA, premultiplied) to 518,
 *  then RGB·A in float32 truncated to uint8. */
export function cropAndPremultiply(rgba: RgbaImage, size = CONDITION_SIZE): RgbImage {
  assertRgbaImage(rgba, 'preprocess input');
  const bounds = foregroundBounds(rgba);
  if (!bounds) {
    throw new EngineError(
      'NO_FOREGROUND',
      `no foreground found: no pixel of the ${rgba.width}x${rgba.height} image has alpha above 204 (0.8·255); ` +
        'give an image with an opaque object on a transparent background, or an opaque photo to cut out',
    );
  }
  const box = conditionCropBox(bounds);
  if (box.x1 - box.x0 < 1 || box.y1 - box.y0 < 1) {
    throw new EngineError(
      'NO_FOREGROUND',
      `foreground too small: the opaque region spans ${bounds.x1 - bounds.x0 + 1}x${bounds.y1 - bounds.y0 + 1} px, ` +
        'which gives an empty crop; the object must be at least 2 px across',
    );
  }
  const crop = cropRgbaZeroPad(rgba, box);
  const resized = resizeLanczosRgba(crop, size, size);
  return premultiplyToRgb(resized);
}

/** numpy: (x.astype(float32) / 255)[..., :3] * (...)[..., 3:4], then (·255).astype(uint8). */
export function premultiplyToRgb(img: RgbaImage): RgbImage {
  const f = Math.fround;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  const d = img.data;
  for (let p = 0; p < n; p++) {
    const a = f(d[p * 4 + 3] / 255);
    for (let c = 0; c < 3; c++) {
      const v = f(f(d[p * 4 + c] / 255) * a);
      out[p * 3 + c] = Math.trunc(f(v * 255));
    }
  }
  return { width: img.width, height: img.height, data: out };
}

/** The size (int truncation) the reference shrinks an opaque image to before rembg. */
export function backgroundRemovalSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, BACKGROUND_REMOVAL_MAX_SIDE / Math.max(width, height));
  if (scale >= 1) return { width, height };
  return { width: Math.trunc(width * scale), height: Math.trunc(height * scale) };
}

/** §1.1: the RGBA image the crop works on. Images with any alpha < 255 are used as they are, at
 *  full size; opaque ones are shrunk to <= 1024 px (Lanczos, RGB) and cut out with the mask. */
export async function foregroundImage(img: RgbaImage, options: PreprocessOptions = {}): Promise<RgbaImage> {
  assertRgbaImage(img, 'preprocess input');
  if (img.width < 1 || img.height < 1) {
    throw new EngineError('BAD_IMAGE', `image is empty (${img.width}x${img.height})`);
  }
  if (hasTransparency(img)) return img;
  const { removeBackground, useImageAsIs } = options;
  if (!removeBackground && !useImageAsIs) {
    throw new EngineError(
      'NO_BACKGROUND_MODEL',
      `the ${img.width}x${img.height} image is fully opaque and needs background removal, but no background ` +
        'removal model is loaded: add a `background_removal` component (a u2net-style ONNX model) to the model ' +
        'manifest, pass an image with a transparent background, or set useImageAsIs to use the whole image',
    );
  }
  const target = backgroundRemovalSize(img.width, img.height);
  const rgb = resizeLanczosRgb(img, target.width, target.height);
  const mask = useImageAsIs ? new Uint8Array(rgb.width * rgb.height).fill(255) : await removeBackground!(rgb);
  if (!(mask instanceof Uint8Array) || mask.length !== rgb.width * rgb.height) {
    throw new EngineError(
      'INTERNAL',
      `background removal returned ${mask instanceof Uint8Array ? `${mask.length} mask values` : 'no Uint8Array'}, ` +
        `expected ${rgb.width * rgb.height} (one per pixel of the ${rgb.width}x${rgb.height} image)`,
    );
  }
  return naiveCutout(rgb, mask);
}

/** preprocess_image: any RGBA image -> the 518x518 RGB conditioning image. */
export async function preprocessImage(img: RgbaImage, options: PreprocessOptions = {}): Promise<RgbImage> {
  return cropAndPremultiply(await foregroundImage(img, options));
}
