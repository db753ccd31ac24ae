// Our own GPUDevice for ORT's WebGPU EP (passed per session), so the engine sees device loss,
// can count/destroy its buffers, and can start over on a fresh device after a loss.
import type { GpuAdapterLike, GpuDeviceLike, GpuLike } from './gpu-types.ts';

export interface GpuDeviceHandle {
  device: GpuDeviceLike;
  adapterInfo: { vendor: string; architecture: string; description: string };
  features: string[];
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** Why the device was lost, or null while it is usable. */
  lostReason(): string | null;
}

type GpuNavigator = { gpu?: GpuLike };

/** Limits ORT's kernels use; we ask for the adapter's maxima like ORT does for its own device. */
const LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;
const FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

export class WebGpuUnavailable extends Error {
  override readonly name = 'WebGpuUnavailable';
}

export async function createGpuDevice(): Promise<GpuDeviceHandle> {
  const gpu = (globalThis.navigator as GpuNavigator | undefined)?.gpu;
  if (!gpu) throw new WebGpuUnavailable('navigator.gpu is missing (this context does not expose WebGPU)');
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    throw new WebGpuUnavailable(`requestAdapter() failed: ${(error as Error).message}`);
  }
  if (!adapter) throw new WebGpuUnavailable('requestAdapter() returned no adapter');
  const requiredLimits: Record<string, number> = {};
  for (const k of LIMITS) {
    const v = (adapter.limits as Record<string, number | undefined>)[k];
    if (typeof v === 'number') requiredLimits[k] = v;
  }
  const found = adapter;
  const requiredFeatures: string[] = FEATURES.filter((f) => found.features.has(f));
  let device: GpuDeviceLike;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  } catch (error) {
    throw new WebGpuUnavailable(`requestDevice() failed: ${(error as Error).message}`);
  }
  let lost: string | null = null;
  void device.lost.then((info) => {
    lost = `${info.reason}: ${info.message}`;
  });
  const info = adapter.info ?? {};
  return {
    device,
    adapterInfo: { vendor: info.vendor ?? '', architecture: info.architecture ?? '', description: info.description ?? '' },
    features: [...requiredFeatures],
    maxBufferSize: device.limits.maxBufferSize,
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    lostReason: () => lost,
  };
}
