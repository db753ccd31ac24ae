// Size and sha256 checks of a model file's bytes (WebCrypto: browsers, workers and Node 20).
import { EngineError } from '../errors.ts';
import type { ModelFile } from '../../models/manifest.ts';

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throws MODEL_CORRUPT naming the file when size or sha256 differ from the manifest. */
export async function verifyModelBytes(url: string, file: ModelFile, data: Uint8Array): Promise<void> {
  if (data.byteLength !== file.size) {
    throw new EngineError('MODEL_CORRUPT', `model file ${file.path} (${url}) has ${data.byteLength} bytes, the manifest says ${file.size}: the file is partial or was replaced`);
  }
  const sha = await sha256Hex(data);
  if (sha !== file.sha256.toLowerCase()) {
    throw new EngineError('MODEL_CORRUPT', `model file ${file.path} (${url}) has sha256 ${sha}, the manifest says ${file.sha256.toLowerCase()}: the file is corrupt or does not belong to this manifest`);
  }
}
