// Store without persistence (contexts without the Cache API, http(s) model URLs in Node):
// every read downloads and verifies. Verified bytes are kept only while `keep` is set.
import { EngineError } from '../errors.ts';
import type { ModelFile } from '../../models/manifest.ts';
import { fetchModelBytes, type FetchFn } from './fetch-bytes.ts';
import type { BytesCallback, ModelStore } from './types.ts';
import { verifyModelBytes } from './verify-bytes.ts';

export class MemoryStore implements ModelStore {
  readonly kind = 'memory';
  private readonly held = new Map<string, Uint8Array>();

  constructor(private readonly fetchFn?: FetchFn, private readonly keep = true) {}

  private async download(url: string, file: ModelFile, onBytes?: BytesCallback, signal?: AbortSignal): Promise<Uint8Array> {
    for (let attempt = 0; ; attempt++) {
      const data = await fetchModelBytes(url, file, onBytes, signal, this.fetchFn);
      try {
        await verifyModelBytes(url, file, data);
        return data;
      } catch (error) {
        if (attempt > 0 || !(error instanceof EngineError)) throw error;
      }
    }
  }

  async ensure(url: string, file: ModelFile, onBytes?: BytesCallback, signal?: AbortSignal): Promise<void> {
    if (this.held.has(url)) {
      onBytes?.(file.size);
      return;
    }
    const data = await this.download(url, file, onBytes, signal);
    if (this.keep) this.held.set(url, data);
  }

  async read(url: string, file: ModelFile, onBytes?: BytesCallback, signal?: AbortSignal): Promise<Uint8Array> {
    const held = this.held.get(url);
    if (held) return held;
    const data = await this.download(url, file, onBytes, signal);
    if (this.keep) this.held.set(url, data);
    return data;
  }
}
