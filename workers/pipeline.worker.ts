// Pipeline worker entry: exposes src/engine through Comlink. Kept thin on purpose.
import * as Comlink from 'comlink';
import { installEngineErrorTransfer } from '../src/engine/errors.ts';
import {
  createWorkerApi,
  outputTransferables,
  type EngineFactory,
  type EngineModule,
  type WorkerApi,
} from '../src/engine/worker-api.ts';
import { probeCapabilities } from './gpu-probe.ts';

installEngineErrorTransfer();

// The engine joins the bundle as soon as src/engine/index.ts exists; until then the worker
// reports MODEL_MISSING instead of pretending to generate.
const engineModules = import.meta.glob<EngineModule>('../src/engine/index.ts');
const loadEngineModule = engineModules['../src/engine/index.ts'];

const engineFactory: EngineFactory | null = loadEngineModule
  ? async (options) => {
      if (options.wasmPaths) {
        // Relative wasmPaths resolve against ORT's own module URL, so the client sends an absolute one.
        const ort = await import('onnxruntime-web/webgpu');
        ort.env.wasm.wasmPaths = options.wasmPaths;
      }
      const mod = await loadEngineModule();
      return mod.createEngine(options);
    }
  : null;

const api = createWorkerApi(engineFactory, { capabilities: probeCapabilities });

const exposed: WorkerApi = {
  ...api,
  async generate(request, onProgress) {
    const output = await api.generate(request, onProgress);
    return Comlink.transfer(output, outputTransferables(output));
  },
};

Comlink.expose(exposed);
