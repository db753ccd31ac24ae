// The slice of the WebGPU API the engine touches (the project does not depend on @webgpu/types).

export interface GpuBufferLike {
  readonly size: number;
  destroy(): void;
}

export interface GpuDeviceLike {
  readonly limits: { readonly maxBufferSize: number; readonly maxStorageBufferBindingSize: number };
  readonly lost: Promise<{ reason: string; message: string }>;
  readonly queue: { writeBuffer(buffer: GpuBufferLike, offset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number): void };
  createBuffer(desc: { size: number; usage: number; mappedAtCreation?: boolean; label?: string }): GpuBufferLike;
  destroy(): void;
}

export interface GpuAdapterLike {
  readonly limits: Record<string, number | undefined> & object;
  readonly features: { has(name: string): boolean };
  readonly info?: { vendor?: string; architecture?: string; description?: string };
  requestDevice(desc: { requiredLimits?: Record<string, number>; requiredFeatures?: string[] }): Promise<GpuDeviceLike>;
}

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GpuAdapterLike | null>;
}

/** GPUBufferUsage flags (constants of the WebGPU spec). */
export const BUFFER_USAGE = { COPY_SRC: 0x0004, COPY_DST: 0x0008, STORAGE: 0x0080 } as const;
