// Limits on an input image's dimensions, checked from the header before pixels are allocated
// (Node) or right after decoding (browser). The model sees 518x518, so nothing is lost by
// refusing huge images, while a 30000x30000 PNG would need 3.6 GB of RGBA.
import { EngineError } from '../errors.ts';

export const MAX_IMAGE_SIDE = 16_384;
export const MAX_IMAGE_PIXELS = 100_000_000;

export function checkImageDimensions(width: number, height: number, name: string, format: string): void {
  if (width === 0 || height === 0) throw new EngineError('BAD_IMAGE', `${name}: ${format} has no pixels (${width}x${height})`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    throw new EngineError('BAD_IMAGE', `${name}: ${format} is ${width}x${height}; images may be at most ${MAX_IMAGE_SIDE} pixels on a side and ${MAX_IMAGE_PIXELS / 1e6} megapixels: downscale it first`);
  }
}
