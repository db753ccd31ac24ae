// Streams a model file into one preallocated buffer, reporting bytes as they arrive.
import { EngineError } from '../errors.ts';
import type { ModelFile } from '../../models/manifest.ts';
import type { BytesCallback } from './types.ts';

export type FetchFn = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export async function fetchModelBytes(url: string, file: ModelFile, onBytes?: BytesCallback, signal?: AbortSignal, fetchFn: FetchFn = (u, i) => fetch(u, i)): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetchFn(url, { signal });
  } catch (error) {
    if (signal?.aborted) throw new EngineError('CANCELLED', 'model download cancelled', { cause: error });
    throw new EngineError('MODEL_MISSING', `model file ${file.path} could not be fetched from ${url}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    throw new EngineError('MODEL_MISSING', `model file ${file.path} could not be fetched from ${url}: HTTP ${response.status} ${response.statusText}`.trim());
  }
  const out = new Uint8Array(file.size);
  let loaded = 0;
  const overflow = () =>
    new EngineError('MODEL_CORRUPT', `model file ${file.path} (${url}) is larger than the ${file.size} bytes the manifest says`);
  if (!response.body) {
    const all = new Uint8Array(await response.arrayBuffer());
    if (all.byteLength > file.size) throw overflow();
    out.set(all);
    loaded = all.byteLength;
    onBytes?.(loaded);
  } else {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.byteLength > file.size) {
        await reader.cancel().catch(() => undefined);
        throw overflow();
      }
      out.set(value, loaded);
      loaded += value.byteLength;
      onBytes?.(loaded);
    }
  }
  return loaded === file.size ? out : out.subarray(0, loaded);
}
