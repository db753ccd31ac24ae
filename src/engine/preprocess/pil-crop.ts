// PIL's Image.crop: each box coordinate goes through Python's round() (half to even) and
// pixels outside the source come out as zero (transparent black for RGBA).
import type { RgbaImage } from '../image/rgba-image.ts';

/** Python 3 round(x) for a float: ties go to the even integer. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f; // exact for |x| < 2^52
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Crop box in pixel edges, already integers (x1, y1 exclusive). */
export interface IntBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** PIL `im.crop((l, t, r, b))` with float coordinates. */
export function pilCropBox(left: number, top: number, right: number, bottom: number): IntBox {
  return { x0: roundHalfEven(left), y0: roundHalfEven(top), x1: roundHalfEven(right), y1: roundHalfEven(bottom) };
}

/** Crop with zero fill outside the source (ImagingCrop). */
export function cropRgbaZeroPad(img: RgbaImage, box: IntBox): RgbaImage {
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  if (w < 0 || h < 0) throw new Error(`crop box (${box.x0}, ${box.y0}, ${box.x1}, ${box.y1}) has negative size`);
  const out = new Uint8Array(w * h * 4);
  // Overlap of the box with the image, in source coordinates.
  const sx0 = Math.max(box.x0, 0);
  const sx1 = Math.min(box.x1, img.width);
  const sy0 = Math.max(box.y0, 0);
  const sy1 = Math.min(box.y1, img.height);
  if (sx1 > sx0) {
    for (let y = sy0; y < sy1; y++) {
      const s = (y * img.width + sx0) * 4;
      out.set(img.data.subarray(s, s + (sx1 - sx0) * 4), ((y - box.y0) * w + (sx0 - box.x0)) * 4);
    }
  }
  return { width: w, height: h, data: out };
}
