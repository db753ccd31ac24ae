// Browser store: files are downloaded once, verified, and kept in the Cache API under their URL
// (+ sha256, so a new model version never reads an old entry). A cached entry of the wrong size
// (partial write, quota eviction mid-way) or hash is deleted and fetched again; a fresh download
// that still fails verification is MODEL_CORRUPT.
import { EngineError } from '../errors.ts';
import type { ModelFile } from '../../models/manifest.ts';
import { fetchModelBytes, type FetchFn } from './fetch-bytes.ts';
import type { BytesCallback, ModelStore } from './types.ts';
import { verifyModelBytes } from './verify-bytes.ts';

export const MODEL_CACHE_NAME = 'trellis-web-models-v1';

function cacheKey(url: string, file: ModelFile): string {
  const u = new URL(url);
  u.searchParams.set('sha256', file.sha256.toLowerCase());
  return u.href;
}

export class CacheApiStore implements ModelStore {
  readonly kind = 'cache-api';

  constructor(private readonly fetchFn?: FetchFn, private readonly cacheName = MODEL_CACHE_NAME) {}

  private async cached(url: string, file: ModelFile): Promise<Uint8Array | null> {
    const cache = await caches.open(this.cacheName);
    const hit = await cache.match(cacheKey(url, file));
    if (!hit) return null;
    const data = new Uint8Array(await hit.arrayBuffer());
    try {
      await verifyModelBytes(url, file, data);
      return data;
    } catch {
      await cache.delete(cacheKey(url, file));
      return null;
    }
  }

  private async download(url: string, file: ModelFile, onBytes?: BytesCallback, signal?: AbortSignal): Promise<Uint8Array> {
    const data = await fetchModelBytes(url, file, onBytes, signal, this.fetchFn);
    await verifyModelBytes(url, file, data);
    try {
      const cache = await caches.open(this.cacheName);
      await cache.put(cacheKey(url, file), new Response(data as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.byteLength) } }));
    } catch (error) {
      // Quota exceeded: the model still runs, it is just downloaded again next time.
      console.warn(`model file ${file.path} could not be cached: ${(error as Error).message}`);
    }
    return data;
  }

  async ensure(url: string, file: ModelFile, onBytes?: BytesCallback, signal?: AbortSignal): Promise<void> {
    const cache = await caches.open(this.cacheName);
    const hit = await cache.match(cacheKey(url, file));
    const size = Number(hit?.headers.get('content-length') ?? -1);
    if (hit && size === file.size) {
      onBytes?.(file.size);
      return;
    }
    if (hit) await cache.delete(cacheKey(url, file));
    await this.download(url, file, onBytes, signal);
  }

  async read(url: string, file: ModelFile, onBytes?: BytesCallback, signal?: AbortSignal): Promise<Uint8Array> {
    const hit = await this.cached(url, file);
    if (hit) {
      onBytes?.(file.size);
      return hit;
    }
    try {
      return await this.download(url, file, onBytes, signal);
    } catch (error) {
      if (error instanceof EngineError && error.code === 'MODEL_CORRUPT') {
        // One retry: a proxy may have served a truncated body once.
        return this.download(url, file, onBytes, signal);
      }
      throw error;
    }
  }
}
