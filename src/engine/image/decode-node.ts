// Node decoder for the CLI and tests: PNG (pngjs: palette, grey, grey+alpha, RGB, 1..16 bit)
// and JPEG (jpeg-js, with EXIF orientation) to straight 8-bit RGBA.
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { Buffer } from 'node:buffer';
import { EngineError } from '../errors.ts';
import { applyOrientation, readJpegOrientation } from './exif-orientation.ts';
import type { RgbaImage } from './rgba-image.ts';
import { checkImageDimensions, MAX_IMAGE_PIXELS } from './dimensions.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type ImageFormat = 'png' | 'jpeg';

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

function describeHead(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Decodes PNG or JPEG bytes. `name` (a file name) only goes into error messages. */
export function decodeImageBytes(bytes: Uint8Array, name = 'image'): RgbaImage {
  const format = sniffImageFormat(bytes);
  if (format === 'png') return decodePng(bytes, name);
  if (format === 'jpeg') return decodeJpeg(bytes, name);
  throw new EngineError(
    'BAD_IMAGE',
    `${name}: not a PNG or JPEG file (${bytes.length} bytes, starts with ${describeHead(bytes) || 'nothing'}); ` +
      'the Node decoder reads PNG and JPEG only',
  );
}

/** pngjs' messages say what its parser tripped on; these say what is wrong with the file. */
function pngProblem(error: unknown): string {
  const m = (error as Error).message ?? String(error);
  if (/waitng on finished stream|waiting on finished stream|unexpected end|Unexpected end/i.test(m)) return 'the file is truncated: it ends before the image data does';
  // pngjs reports a chunk CRC mismatch (and damaged zlib data) as "unrecognised content at end of stream".
  if (/crc|unrecognised content at end of stream/i.test(m)) return 'the file is damaged: a chunk checksum (CRC) does not match or its compressed data is broken';
  return m;
}

function decodePng(bytes: Uint8Array, name: string): RgbaImage {
  // IHDR is the first chunk: width, height, bit depth at fixed offsets.
  if (bytes.length < 33) throw new EngineError('BAD_IMAGE', `${name}: PNG is truncated (${bytes.length} bytes, no complete IHDR)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = bytes[24];
  checkImageDimensions(width, height, name, 'PNG');
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    // 16-bit samples are kept raw so we can take the high byte as Pillow does ("RGB;16B"), not
    // pngjs' rounded rescale; lower depths are scaled by pngjs (v·255/max, same as Pillow).
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: depth === 16 });
  } catch (e) {
    throw new EngineError('BAD_IMAGE', `${name}: corrupt PNG (${pngProblem(e)}); re-export or re-download the image`, { cause: e });
  }
  const n = png.width * png.height * 4;
  const raw = png.data as unknown as ArrayLike<number>;
  if (raw.length !== n) throw new EngineError('BAD_IMAGE', `${name}: PNG decoded to ${raw.length} samples, expected ${n}`);
  const data = new Uint8Array(n);
  if (depth === 16) for (let i = 0; i < n; i++) data[i] = raw[i] >> 8;
  else data.set(raw);
  return { width: png.width, height: png.height, data };
}

function decodeJpeg(bytes: Uint8Array, name: string): RgbaImage {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6 });
  } catch (e) {
    throw new EngineError('BAD_IMAGE', `${name}: corrupt or unsupported JPEG: ${(e as Error).message}`, { cause: e });
  }
  checkImageDimensions(img.width, img.height, name, 'JPEG');
  const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return applyOrientation({ width: img.width, height: img.height, data }, readJpegOrientation(bytes));
}
