// ORT and WebGPU failures as EngineErrors with the codes the UI reacts to.
import { EngineError } from '../errors.ts';

const OOM = /out of memory|OutOfMemory|Failed to allocate|allocation failed|bad_alloc|memory access out of bounds|Cannot enlarge memory|Array buffer allocation failed|maxBufferSize|exceeds the max/i;
const LOST = /device (was )?lost|GPUDevice.*lost|device is lost|DeviceLost|Instance dropped|Device destroyed/i;

/** What a user can do about an out-of-memory failure on each backend. */
export function outOfMemoryHint(backend: 'webgpu' | 'wasm' | undefined): string {
  if (backend === 'wasm') {
    return 'The WASM backend keeps weights and activations in one wasm32 heap of at most 4 GiB: close other tabs, try another seed (fewer voxels), or use WebGPU where the browser offers it';
  }
  if (backend === 'webgpu') {
    return 'Close other GPU-heavy tabs and try again (sessions are now released after each stage), or try another seed (fewer voxels); the WASM backend is slower and limited to a 4 GiB heap';
  }
  return 'Close other tabs and try again';
}

export function mapOrtError(error: unknown, what: string, deviceLost?: () => string | null, backend?: 'webgpu' | 'wasm'): EngineError {
  if (error instanceof EngineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const lost = deviceLost?.();
  if (lost !== null && lost !== undefined) {
    return new EngineError('DEVICE_LOST', `the GPU device was lost while ${what} (${lost}); the engine recreates its sessions on the next request`, { cause: error });
  }
  if (LOST.test(message)) return new EngineError('DEVICE_LOST', `the GPU device was lost while ${what}: ${message}`, { cause: error });
  if (OOM.test(message)) {
    return new EngineError('OUT_OF_MEMORY', `out of memory while ${what} on ${backend ?? 'this backend'}: ${message}. ${outOfMemoryHint(backend)}`, { cause: error });
  }
  return new EngineError('INTERNAL', `${what} failed: ${message}`, { cause: error });
}
