// ORT and WebGPU failures as EngineErrors with the codes the UI reacts to.
import { EngineError } from '../errors.ts';

const OOM = /out of memory|OutOfMemory|Failed to allocate|allocation failed|bad_alloc|memory access out of bounds|Cannot enlarge memory|Array buffer allocation failed|maxBufferSize|exceeds the max/i;
const LOST = /device (was )?lost|GPUDevice.*lost|device is lost|DeviceLost|Instance dropped|Device destroyed/i;

export function mapOrtError(error: unknown, what: string, deviceLost?: () => string | null): EngineError {
  if (error instanceof EngineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const lost = deviceLost?.();
  if (lost !== null && lost !== undefined) {
    return new EngineError('DEVICE_LOST', `the GPU device was lost while ${what} (${lost}); the engine recreates its sessions on the next request`, { cause: error });
  }
  if (LOST.test(message)) return new EngineError('DEVICE_LOST', `the GPU device was lost while ${what}: ${message}`, { cause: error });
  if (OOM.test(message)) {
    return new EngineError('OUT_OF_MEMORY', `out of memory while ${what}: ${message}. Close other GPU-heavy tabs, use fewer sampling steps or the WASM backend`, { cause: error });
  }
  return new EngineError('INTERNAL', `${what} failed: ${message}`, { cause: error });
}
