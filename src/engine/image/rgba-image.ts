// The one image type the engine passes around: 8-bit RGBA, row-major, straight (not
// premultiplied) alpha, like Pillow's "RGBA" mode and canvas ImageData.

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, RGBA per pixel, rows top to bottom. */
  data: Uint8ClampedArray | Uint8Array;
}

export function createRgbaImage(width: number, height: number): RgbaImage {
  return { width, height, data: new Uint8Array(width * height * 4) };
}

/** Throws (a plain Error: this is a programming error, not bad user input) when the buffer
 *  does not hold width*height RGBA pixels. */
export function assertRgbaImage(img: RgbaImage, what = 'image'): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 0 || img.height < 0) {
    throw new Error(`${what}: width and height must be non-negative integers, got ${img.width}x${img.height}`);
  }
  if (img.data.length !== img.width * img.height * 4) {
    throw new Error(`${what}: data has ${img.data.length} bytes, expected ${img.width}x${img.height}x4 = ${img.width * img.height * 4}`);
  }
}

/** True when at least one pixel is not fully opaque (the reference's "has alpha" rule). */
export function hasTransparency(img: RgbaImage): boolean {
  const d = img.data;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) return true;
  return false;
}
