// The real engine runner: the pipeline Web Worker, spoken to through Comlink.
import * as Comlink from 'comlink';
import { EngineError, installEngineErrorTransfer } from '../engine/errors.ts';
import type { ProgressCallback } from '../engine/protocol.ts';
import type { WorkerApi } from '../engine/worker-api.ts';

/** EngineError.detail of a crashed worker: the client then starts a fresh one on the next call. */
export const WORKER_CRASHED = { worker: 'crashed' } as const;

function proxied(cb: ProgressCallback | undefined): ProgressCallback | undefined {
  return cb ? Comlink.proxy(cb) : undefined;
}

/**
 * Starts the pipeline worker. Each call rejects (instead of hanging) if the worker script dies.
 * `makeWorker` supplies another way to start the same worker script (the embeddable widget
 * inlines it, since a page cannot start a worker from another origin's URL).
 */
export function createWorkerRunner(makeWorker?: () => Worker): WorkerApi {
  installEngineErrorTransfer();
  const worker = makeWorker ? makeWorker() : new Worker(new URL('../../workers/pipeline.worker.ts', import.meta.url), { type: 'module', name: 'trellis-pipeline' });
  const remote = Comlink.wrap<WorkerApi>(worker);
  const crashed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      reject(new EngineError('INTERNAL', `the pipeline worker failed to start or crashed: ${event.message || 'unknown error'}`, { detail: WORKER_CRASHED }));
    });
  });
  crashed.catch(() => undefined);
  const guard = <T>(call: Promise<T>): Promise<T> => Promise.race([call, crashed]);

  return {
    ping: () => guard(remote.ping()),
    capabilities: () => guard(remote.capabilities()),
    load: (manifestUrl, onProgress, options) => guard(remote.load(manifestUrl, proxied(onProgress), options)),
    generate: (request, onProgress) => guard(remote.generate(request, proxied(onProgress))),
    cancel: () => guard(remote.cancel()),
    async dispose() {
      try {
        await guard(remote.dispose());
      } finally {
        remote[Comlink.releaseProxy]();
        worker.terminate();
      }
    },
  };
}
