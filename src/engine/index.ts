// What the worker loads (workers/pipeline.worker.ts looks for createEngine here): the TRELLIS
// engine with the browser image decoder and the Cache API model store.
import type { EngineFactory } from './worker-api.ts';
import { TrellisEngine } from './engine.ts';
import { createBrowserImageDecoder } from './pipeline/image-source.ts';

export const createEngine: EngineFactory = async ({ imageLimits, ...options }) =>
  new TrellisEngine({ ...options, decodeImage: createBrowserImageDecoder(imageLimits) });

export { TrellisEngine } from './engine.ts';
