// ImageSource → straight RGBA in Node (CLI, tests): file paths, file:// / data: / http(s) URLs and
// Blobs, decoded by the Pillow-compatible Node decoder. URLs are read under the image limits.
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../errors.ts';
import { decodeImageBytes } from '../image/decode-node.ts';
import { megabytes } from '../net/bounded-fetch.ts';
import type { ImageDecoder } from './image-source.ts';
import { DEFAULT_IMAGE_LIMITS, fetchImageBytes, resolveImageLimits, type ImageLimits } from './image-fetch.ts';

async function bytesOf(source: string, name: string, limits: ImageLimits, signal?: AbortSignal): Promise<Uint8Array> {
  if (source.startsWith('data:') || /^https?:/i.test(source)) return fetchImageBytes(source, name, limits, signal);
  const file = source.startsWith('file:') ? fileURLToPath(source) : source;
  try {
    const size = (await stat(file)).size;
    if (size > limits.maxImageBytes) throw new EngineError('BAD_IMAGE', `${name}: ${file} is larger than ${megabytes(limits.maxImageBytes)} (${megabytes(size)}); use a smaller image`);
    return new Uint8Array(await readFile(file));
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw new EngineError('BAD_IMAGE', `${name}: cannot read ${file}: ${(error as Error).message}`);
  }
}

export function createNodeImageDecoder(limits: Partial<ImageLimits> = {}): ImageDecoder {
  const resolved = resolveImageLimits({ ...DEFAULT_IMAGE_LIMITS, ...limits });
  return async (source, index, signal) => {
    // Local paths name themselves; URLs are quoted in the message, so they get their position.
    const name = typeof source === 'string' && !/^(data|https?):/i.test(source) ? source.slice(0, 100) : `image ${index + 1}`;
    if (typeof source === 'string') return decodeImageBytes(await bytesOf(source, name, resolved, signal), name);
    if (source instanceof Blob) {
      if (source.size > resolved.maxImageBytes) throw new EngineError('BAD_IMAGE', `${name}: the Blob is larger than ${megabytes(resolved.maxImageBytes)} (${megabytes(source.size)}); use a smaller image`);
      return decodeImageBytes(new Uint8Array(await source.arrayBuffer()), name);
    }
    throw new EngineError('BAD_REQUEST', `${name}: in Node an image must be a path, a URL or a Blob`);
  };
}

export const nodeImageDecoder: ImageDecoder = createNodeImageDecoder();
