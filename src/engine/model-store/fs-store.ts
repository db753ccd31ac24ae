// Node store for file:// model folders (CLI, tests, bench): files are read from disk and every
// read is verified (size and sha256), because a file can change on disk between load() and a
// later stage (per-stage release reads graphs again). ensure() remembers files it verified so a
// second load() does not hash them again; the bytes handed to ORT are always hashed.
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../errors.ts';
import type { ModelFile } from '../../models/manifest.ts';
import type { BytesCallback, ModelStore } from './types.ts';
import { verifyModelBytes } from './verify-bytes.ts';

export class FsStore implements ModelStore {
  readonly kind = 'filesystem';
  private readonly verified = new Set<string>();

  private path(url: string, file: ModelFile): string {
    if (!url.startsWith('file:')) throw new EngineError('BAD_REQUEST', `the filesystem model store reads file:// URLs, got ${url} for ${file.path}`);
    return fileURLToPath(url);
  }

  async ensure(url: string, file: ModelFile, onBytes?: BytesCallback): Promise<void> {
    if (this.verified.has(url)) {
      onBytes?.(file.size);
      return;
    }
    await this.read(url, file, onBytes);
  }

  async read(url: string, file: ModelFile, onBytes?: BytesCallback): Promise<Uint8Array> {
    const p = this.path(url, file);
    let size: number;
    try {
      size = (await stat(p)).size;
    } catch {
      throw new EngineError('MODEL_MISSING', `model file ${file.path} is missing (${p})`);
    }
    if (size !== file.size) {
      throw new EngineError('MODEL_CORRUPT', `model file ${file.path} (${p}) has ${size} bytes, the manifest says ${file.size}: the file is partial or was replaced`);
    }
    const buf = await readFile(p);
    const data = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    try {
      await verifyModelBytes(url, file, data);
    } catch (error) {
      this.verified.delete(url);
      throw error;
    }
    this.verified.add(url);
    onBytes?.(file.size);
    return data;
  }
}
