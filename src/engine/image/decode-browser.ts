// Browser / worker decoder: Blob -> straight 8-bit RGBA via createImageBitmap + OffscreenCanvas.
//
// Precision caveat: a 2D canvas stores premultiplied colour, so drawImage premultiplies and
// getImageData un-premultiplies. Semi-transparent pixels can therefore come back a little off
// (low alpha loses most colour bits; alpha 0 always reads as RGB 0). Fully opaque pixels and
// the alpha channel itself are exact. The reference premultiplies before resampling anyway
// (Pillow MULDIV255), which hides most of this, but bit-exact parity with Pillow is only
// guaranteed for the Node decoder (decode-node.ts). JPEG orientation is applied by the browser
// (imageOrientation: 'from-image'); colour profiles are not applied (colorSpaceConversion:
// 'none'), like Pillow.
import { EngineError } from '../errors.ts';
import type { RgbaImage } from './rgba-image.ts';
import { checkImageDimensions } from './dimensions.ts';

export async function decodeImageBlob(blob: Blob, name = 'image'): Promise<RgbaImage> {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') {
    throw new Error('decodeImageBlob needs createImageBitmap and OffscreenCanvas (a browser or worker); use decode-node.ts in Node');
  }
  if (blob.size === 0) throw new EngineError('BAD_IMAGE', `${name}: the file is empty`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
      imageOrientation: 'from-image',
    });
  } catch (e) {
    throw new EngineError(
      'BAD_IMAGE',
      `${name}: the browser could not decode this ${blob.type || 'file'} (${blob.size} bytes): ${(e as Error).message || 'corrupt or unsupported image'}`,
      { cause: e },
    );
  }
  try {
    const { width, height } = bitmap;
    checkImageDimensions(width, height, name, 'image');
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('OffscreenCanvas 2d context unavailable');
    ctx.drawImage(bitmap, 0, 0);
    const pixels = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
    return { width, height, data: pixels.data };
  } finally {
    bitmap.close();
  }
}
