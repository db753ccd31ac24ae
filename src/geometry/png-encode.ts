// PNG encoding behind one signature: pngjs in Node, OffscreenCanvas in browsers/workers.

export type PngEncoder = (rgba: Uint8Array, width: number, height: number) => Promise<Uint8Array>;

/** RGB PNG (alpha dropped, as the reference writes an RGB texture) via pngjs. */
export const nodePngEncoder: PngEncoder = async (rgba, width, height) => {
  const { PNG } = await import('pngjs');
  const png = new PNG({ width, height, colorType: 2, inputColorType: 6, inputHasAlpha: true });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const out = PNG.sync.write(png, { colorType: 2, inputColorType: 6, inputHasAlpha: true });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
};

export const canvasPngEncoder: PngEncoder = async (rgba, width, height) => {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('png encode: OffscreenCanvas 2d context unavailable');
  const pixels = new Uint8ClampedArray(rgba.byteLength);
  pixels.set(rgba);
  ctx.putImageData(new ImageData(pixels, width, height), 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
};

export function defaultPngEncoder(): PngEncoder {
  if (typeof OffscreenCanvas !== 'undefined') return canvasPngEncoder;
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (p?.versions?.node) return nodePngEncoder;
  throw new Error('png encode: neither OffscreenCanvas nor Node is available; pass a PngEncoder');
}
