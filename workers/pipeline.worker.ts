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

// onnxruntime-web is imported only by the engine (src/engine/ort/ort-runtime.ts), which applies
// options.wasmPaths itself before its first session.
const engineFactory: EngineFactory = async (options) => {
  const mod: EngineModule = await import('../src/engine/index.ts');
  return mod.createEngine(options);
};

const api = createWorkerApi(engineFactory, { capabilities: probeCapabilities });

const exposed: WorkerApi = {
  ...api,
  async generate(request, onProgress) {
    const output = await api.generate(request, onProgress);
    return Comlink.transfer(output, outputTransferables(output));
  },
};

Comlink.expose(exposed);
