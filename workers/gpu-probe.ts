// What the worker's own context offers: WebGPU adapter (the engine runs here, so this is the
// view that matters), isolation, threads.
import type { Capabilities, GpuAdapterSummary } from '../src/engine/protocol.ts';

type GpuLike = { requestAdapter(): Promise<AdapterLike | null> };
type AdapterLike = {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  features: Iterable<string>;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
};

export async function probeCapabilities(): Promise<Omit<Capabilities, 'engineAvailable'>> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike; hardwareConcurrency?: number } }).navigator;
  const base = {
    webgpuApi: Boolean(nav?.gpu),
    crossOriginIsolated: Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated),
    hardwareConcurrency: nav?.hardwareConcurrency ?? 1,
  };
  if (!nav?.gpu) return { ...base, adapter: null, adapterError: 'navigator.gpu is missing' };
  try {
    const adapter = await nav.gpu.requestAdapter();
    if (!adapter) return { ...base, adapter: null, adapterError: 'requestAdapter() returned null' };
    const summary: GpuAdapterSummary = {
      vendor: adapter.info?.vendor ?? '',
      architecture: adapter.info?.architecture ?? '',
      device: adapter.info?.device ?? '',
      description: adapter.info?.description ?? '',
      features: [...adapter.features].sort(),
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    };
    return { ...base, adapter: summary };
  } catch (error) {
    return { ...base, adapter: null, adapterError: `requestAdapter() failed: ${(error as Error).message}` };
  }
}
