// xatlas in the browser (package.json "#xatlas-host", browser condition): xatlasjs's web bundle runs as its own classic worker and exposes its
// Api class over Comlink, so unwrapping never blocks the page.
import { proxy, wrap, type Remote } from 'comlink';
import workerUrl from 'xatlasjs/dist/xatlas.js?url';
import wasmUrl from 'xatlasjs/dist/xatlas.wasm?url';
import { generateWithApi, type XatlasApi, type XatlasBackend } from './xatlas-backend.ts';

type ApiCtor = new (onLoad: () => void, locate: (p: string, d: string) => string, progress: () => void) => XatlasApi;

export async function createXatlas(): Promise<XatlasBackend> {
  const worker = new Worker(new URL(workerUrl, location.href));
  const absWasm = new URL(wasmUrl, location.href).href;
  const Remote = wrap<ApiCtor>(worker) as unknown as new (...a: unknown[]) => Promise<Remote<XatlasApi>>;
  const api = await new Remote(
    proxy(() => {}),
    proxy((p: string, d: string) => (p === 'xatlas.wasm' ? absWasm : d + p)),
    proxy(() => {}),
  );
  const deadline = Date.now() + 30_000;
  while (!(await api.loaded)) {
    if (Date.now() > deadline) {
      worker.terminate();
      throw new Error(`xatlas: worker did not load ${absWasm} within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let queue: Promise<unknown> = Promise.resolve();
  return {
    generate(meshes, chart, pack) {
      const run = queue.then(() => generateWithApi(api as unknown as XatlasApi, meshes, chart, pack));
      queue = run.catch(() => undefined);
      return run;
    },
    async dispose() {
      worker.terminate();
    },
  };
}
