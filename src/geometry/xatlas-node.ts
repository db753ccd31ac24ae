// xatlas in Node (package.json "#xatlas-host", default condition): xatlasjs's node build, in-process, wasm read from the local package.
import { createRequire } from 'node:module';
import { generateWithApi, type XatlasApi, type XatlasBackend } from './xatlas-backend.ts';

export async function createXatlas(): Promise<XatlasBackend> {
  const require = createRequire(import.meta.url);
  const createModule = require('xatlasjs/dist/node/xatlas.js') as (params: object) => Promise<unknown>;
  const wasmPath = require.resolve('xatlasjs/dist/node/xatlas.wasm');
  const { Api } = (await import('xatlasjs/dist/node/api.mjs' as string)) as {
    Api: (factory: typeof createModule) => new (onLoad: () => void, locate: (p: string, d: string) => string, progress?: null) => XatlasApi;
  };
  const ApiClass = Api(createModule);
  const api = await new Promise<XatlasApi>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`xatlas: wasm did not load from ${wasmPath} within 30 s`)), 30_000);
    const inst: XatlasApi = new ApiClass(
      () => {
        clearTimeout(timer);
        resolve(inst);
      },
      (p, d) => (p === 'xatlas.wasm' ? wasmPath : d + p),
      null,
    );
  });
  // xatlas processes one atlas at a time; serialise callers.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    generate(meshes, chart, pack) {
      const run = queue.then(() => generateWithApi(api, meshes, chart, pack));
      queue = run.catch(() => undefined);
      return run;
    },
    async dispose() {},
  };
}
