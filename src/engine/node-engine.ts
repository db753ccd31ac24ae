// The engine in Node (CLI, tests, bench): ORT's wasm EP, file:// model folders read from disk and
// verified, images decoded by the Pillow-compatible Node decoder.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadManifest } from '../models/manifest.ts';
import { readFile } from 'node:fs/promises';
import { TrellisEngine, type TrellisEngineOptions } from './engine.ts';
import { FsStore } from './model-store/fs-store.ts';
import { createNodeImageDecoder } from './pipeline/image-source-node.ts';
import type { ImageLimits } from './pipeline/image-fetch.ts';
import type { LoadInfo, ProgressCallback } from './protocol.ts';
import { EngineError } from './errors.ts';
import { ManifestError } from '../models/manifest.ts';

/** file:// URL of a model folder's manifest (a folder or a manifest.json path). */
export function manifestFileUrl(modelsPath: string): string {
  const abs = path.resolve(modelsPath);
  return pathToFileURL(abs.endsWith('.json') ? abs : path.join(abs, 'manifest.json')).href;
}

const fileFetch = async (url: string) => {
  const text = await readFile(new URL(url), 'utf8').catch((e: Error) => {
    throw new ManifestError('not_found', `model manifest ${url} could not be read: ${e.message}`);
  });
  return { ok: true, status: 200, statusText: 'OK', text: async () => text };
};

export async function createNodeEngine(
  modelsPath: string,
  options: Partial<Omit<TrellisEngineOptions, 'manifest' | 'device'>> & { imageLimits?: Partial<ImageLimits> } = {},
  onProgress?: ProgressCallback,
): Promise<{ engine: TrellisEngine; info: LoadInfo }> {
  const manifestUrl = manifestFileUrl(modelsPath);
  let manifest;
  try {
    manifest = await loadManifest(manifestUrl, fileFetch);
  } catch (error) {
    if (error instanceof ManifestError) {
      throw new EngineError(error.kind === 'not_found' ? 'MODEL_MISSING' : 'MODEL_CORRUPT', error.message, { cause: error });
    }
    throw error;
  }
  const { imageLimits, ...engineOptions } = options;
  const decodeImage = createNodeImageDecoder(imageLimits);
  const engine = new TrellisEngine({ device: 'wasm', store: new FsStore(), decodeImage, ...engineOptions, manifest });
  const info = await engine.load(manifestUrl, onProgress);
  return { engine, info };
}
