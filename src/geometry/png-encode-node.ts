// PNG encoding in Node (package.json "#png-encoder-host", default condition): pngjs.
import { PNG } from 'pngjs';
import type { PngEncoder } from './png-encode.ts';

/** RGB PNG (alpha dropped, as the reference writes an RGB texture). */
export const hostPngEncoder: PngEncoder = async (rgba, width, height) => {
  const png = new PNG({ width, height, colorType: 2, inputColorType: 6, inputHasAlpha: true });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const out = PNG.sync.write(png, { colorType: 2, inputColorType: 6, inputHasAlpha: true });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
};
