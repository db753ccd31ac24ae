// ImageSource (bitmap, Blob or URL) → straight RGBA, in a browser or worker.
import { EngineError } from '../errors.ts';
import { decodeImageBlob } from '../image/decode-browser.ts';
import type { RgbaImage } from '../image/rgba-image.ts';
import type { ImageSource } from '../protocol.ts';

export type ImageDecoder = (source: ImageSource, index: number, signal?: AbortSignal) => Promise<RgbaImage>;

function bitmapToRgba(bitmap: ImageBitmap): RgbaImage {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new EngineError('INTERNAL', 'OffscreenCanvas 2d context unavailable');
  ctx.drawImage(bitmap, 0, 0);
  const pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height, { colorSpace: 'srgb' });
  return { width: bitmap.width, height: bitmap.height, data: pixels.data };
}

export const browserImageDecoder: ImageDecoder = async (source, index, signal) => {
  const name = `image ${index + 1}`;
  if (typeof source === 'string') {
    let response: Response;
    try {
      response = await fetch(source, { signal });
    } catch (error) {
      throw new EngineError('BAD_IMAGE', `${name}: could not fetch ${source.slice(0, 100)}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) throw new EngineError('BAD_IMAGE', `${name}: fetching ${source.slice(0, 100)} gave HTTP ${response.status}`);
    return decodeImageBlob(await response.blob(), name);
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) return decodeImageBlob(source, name);
  if (typeof ImageBitmap !== 'undefined' && source instanceof ImageBitmap) return bitmapToRgba(source);
  throw new EngineError('BAD_REQUEST', `${name}: expected an ImageBitmap, a Blob or a URL string`);
};
