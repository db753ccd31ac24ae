// Streams a model file into one preallocated buffer, reporting bytes as they arrive. The manifest's
// size is the byte cap; a download that sends nothing for MODEL_IDLE_TIMEOUT_MS fails instead of
// hanging (an idle limit, not a deadline: a 1 GB file on a slow link may take many minutes).
import { EngineError } from '../errors.ts';
import type { ModelFile } from '../../models/manifest.ts';
import { boundedFetch, BoundedFetchError, seconds, type FetchFn } from '../net/bounded-fetch.ts';
import type { BytesCallback } from './types.ts';

export type { FetchFn };

export const MODEL_IDLE_TIMEOUT_MS = 60_000;

export async function fetchModelBytes(
  url: string,
  file: ModelFile,
  onBytes?: BytesCallback,
  signal?: AbortSignal,
  fetchFn?: FetchFn,
  idleTimeoutMs = MODEL_IDLE_TIMEOUT_MS,
): Promise<Uint8Array> {
  try {
    return await boundedFetch(url, {
      timeoutMs: idleTimeoutMs,
      idle: true,
      maxBytes: file.size,
      preallocate: true,
      ...(signal ? { signal } : {}),
      ...(onBytes ? { onBytes } : {}),
      ...(fetchFn ? { fetchFn } : {}),
    });
  } catch (error) {
    if (!(error instanceof BoundedFetchError)) throw error;
    const f = error.failure;
    switch (f.kind) {
      case 'cancelled':
        throw new EngineError('CANCELLED', 'model download cancelled', { cause: error });
      case 'too_large':
        throw new EngineError('MODEL_CORRUPT', `model file ${file.path} (${url}) is larger than the ${file.size} bytes the manifest says`);
      case 'timeout':
        throw new EngineError('MODEL_MISSING', `model file ${file.path} could not be fetched from ${url}: the download stalled (no data for ${seconds(f.ms)}); check the connection and try again`);
      case 'http':
      case 'network':
        throw new EngineError('MODEL_MISSING', `model file ${file.path} could not be fetched from ${url}: ${error.message}`, { cause: error });
    }
  }
}
