// ImageSource → straight RGBA in Node (CLI, tests): file paths, file:// / data: / http(s) URLs and
// Blobs, decoded by the Pillow-compatible Node decoder.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../errors.ts';
import { decodeImageBytes } from '../image/decode-node.ts';
import type { ImageDecoder } from './image-source.ts';

async function bytesOf(source: string, name: string, signal?: AbortSignal): Promise<Uint8Array> {
  if (source.startsWith('data:') || /^https?:/i.test(source)) {
    const r = await fetch(source, { signal }).catch((error: Error) => {
      throw new EngineError('BAD_IMAGE', `${name}: could not fetch ${source.slice(0, 100)}: ${error.message}`);
    });
    if (!r.ok) throw new EngineError('BAD_IMAGE', `${name}: fetching ${source.slice(0, 100)} gave HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  }
  const file = source.startsWith('file:') ? fileURLToPath(source) : source;
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw new EngineError('BAD_IMAGE', `${name}: cannot read ${file}: ${(error as Error).message}`);
  }
}

export const nodeImageDecoder: ImageDecoder = async (source, index, signal) => {
  const name = typeof source === 'string' && !source.startsWith('data:') ? source : `image ${index + 1}`;
  if (typeof source === 'string') return decodeImageBytes(await bytesOf(source, name, signal), name);
  if (source instanceof Blob) return decodeImageBytes(new Uint8Array(await source.arrayBuffer()), name);
  throw new EngineError('BAD_REQUEST', `${name}: in Node an image must be a path, a URL or a Blob`);
};
