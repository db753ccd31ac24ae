// ImageSource (bitmap, Blob or URL) → straight RGBA, in a browser or worker.
import { EngineError } from '../errors.ts';
import { decodeImageBlob } from '../image/decode-browser.ts';
import type { RgbaImage } from '../image/rgba-image.ts';
import type { ImageSource } from '../protocol.ts';
import { megabytes } from '../net/bounded-fetch.ts';
import { DEFAULT_IMAGE_LIMITS, fetchImageBytes, resolveImageLimits, type ImageLimits } from './image-fetch.ts';

export type ImageDecoder = (source: ImageSource, index: number, signal?: AbortSignal) => Promise<RgbaImage>;

function bitmapToRgba(bitmap: ImageBitmap): RgbaImage {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new EngineError('INTERNAL', 'OffscreenCanvas 2d context unavailable');
  ctx.drawImage(bitmap, 0, 0);
  const pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height, { colorSpace: 'srgb' });
  return { width: bitmap.width, height: bitmap.height, data: pixels.data };
}

export function createBrowserImageDecoder(limits: Partial<ImageLimits> = {}): ImageDecoder {
  const resolved = resolveImageLimits({ ...DEFAULT_IMAGE_LIMITS, ...limits });
  return async (source, index, signal) => {
    const name = `image ${index + 1}`;
    if (typeof source === 'string') {
      const bytes = await fetchImageBytes(source, name, resolved, signal);
      return decodeImageBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
    }
    if (typeof Blob !== 'undefined' && source instanceof Blob) {
      if (source.size > resolved.maxImageBytes) throw new EngineError('BAD_IMAGE', `${name}: the Blob is larger than ${megabytes(resolved.maxImageBytes)} (${megabytes(source.size)}); use a smaller image`);
      return decodeImageBlob(source, name);
    }
    if (typeof ImageBitmap !== 'undefined' && source instanceof ImageBitmap) return bitmapToRgba(source);
    throw new EngineError('BAD_REQUEST', `${name}: expected an ImageBitmap, a Blob or a URL string`);
  };
}

export const browserImageDecoder: ImageDecoder = createBrowserImageDecoder();
