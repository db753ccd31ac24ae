// Where model files come from. Every store checks size and sha256 against the manifest before a
// file is used, so a partial or corrupt file is never handed to ORT.
import type { ModelFile } from '../../models/manifest.ts';

/** Bytes received so far for one file (downloads) or read (local). */
export type BytesCallback = (loaded: number) => void;

export interface ModelStore {
  readonly kind: 'cache-api' | 'filesystem' | 'memory';
  /** Makes sure the file is present and verified (downloading it if needed); returns nothing. */
  ensure(url: string, file: ModelFile, onBytes?: BytesCallback, signal?: AbortSignal): Promise<void>;
  /** The verified bytes of the file (ensure()s it first). */
  read(url: string, file: ModelFile, onBytes?: BytesCallback, signal?: AbortSignal): Promise<Uint8Array>;
}
