// PNG encoding in browsers and workers (package.json "#png-encoder-host", browser condition):
// OffscreenCanvas, so no PNG library is shipped.
import type { PngEncoder } from './png-encode.ts';

export const hostPngEncoder: PngEncoder = async (rgba, width, height) => {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('png encode: OffscreenCanvas 2d context unavailable');
  const pixels = new Uint8ClampedArray(rgba.byteLength);
  pixels.set(rgba);
  ctx.putImageData(new ImageData(pixels, width, height), 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
};
