// What the memory plan decides for one engine: keep sessions across stages or release them after
// each stage, and whether stage 1 runs its CFG pair as one batch-2 call.
import type { ManifestV1 } from '../../models/manifest.ts';
import type { OrtBackend } from '../ort/ort-runtime.ts';
import type { ReleasePolicy } from '../ort/session-provider.ts';
import { memoryPlan, type MemoryPlan } from './memory-plan.ts';

const GIB = 1024 ** 3;

export interface MemoryPolicyOptions {
  /** Device memory the engine may plan for (default: 3 GiB on WebGPU, 2 GiB on WASM). */
  budgetBytes?: number;
  releasePolicy?: ReleasePolicy | 'auto';
  /** Force the stage-1 CFG pair batched (true) or as two calls (false); default: decided here. */
  batchCfgPair?: boolean;
}

export interface MemoryPolicy {
  policy: ReleasePolicy;
  batchCfgPair: boolean;
  /** The plan of what will run (batch 2 in stage 1 when batched). */
  plan: MemoryPlan;
  budgetBytes: number;
}

export function chooseMemoryPolicy(manifest: Pick<ManifestV1, 'components'>, backend: OrtBackend, opts: MemoryPolicyOptions = {}): MemoryPolicy {
  const budgetBytes = opts.budgetBytes ?? (backend === 'webgpu' ? 3 * GIB : 2 * GIB);
  const single = memoryPlan(manifest, undefined, 1, backend);
  const wanted = opts.releasePolicy ?? 'auto';
  const policy: ReleasePolicy = wanted === 'auto' ? (single.keepAllPeak <= budgetBytes ? 'keep' : 'per-stage') : wanted;
  // One batch-2 call halves stage 1's kernel launches on a GPU (on WASM it only costs memory);
  // batched when the stage still fits the budget with twice its activations.
  const paired = memoryPlan(manifest, undefined, 2, backend);
  const stage1 = paired.stages.find((s) => s.stage === 'sparse_structure')?.peakBytes ?? 0;
  const fits = policy === 'keep' ? paired.keepAllPeak <= budgetBytes : stage1 <= budgetBytes;
  const batchCfgPair = opts.batchCfgPair ?? (backend === 'webgpu' && fits);
  return { policy, batchCfgPair, plan: batchCfgPair ? paired : single, budgetBytes };
}

/** Most a wasm32 heap can grow to (ORT-web's WASM backend keeps weights and activations there). */
export const WASM_HEAP_LIMIT_BYTES = 4 * GIB;

export interface DeviceLimits {
  /** WebGPU: the device's maxStorageBufferBindingSize (one tensor must fit one binding). */
  maxBindingBytes?: number;
  /** WebGPU: the device's maxBufferSize. */
  maxBufferBytes?: number;
}

/** Why the stages after stage 1 cannot run at `voxels` on this backend, or null when they fit. */
export function stage2MemoryProblem(
  manifest: Pick<ManifestV1, 'components'>,
  backend: OrtBackend,
  voxels: number,
  policy: ReleasePolicy,
  limits: DeviceLimits = {},
): string | null {
  const plan = memoryPlan(manifest, voxels, 1, backend);
  const later = plan.stages.filter((s) => ['structured_latent', 'mesh_decode', 'gaussian_decode'].includes(s.stage));
  const gib = (n: number) => `${(n / GIB).toFixed(2)} GiB`;
  const mib = (n: number) => `${Math.ceil(n / 1024 ** 2)} MiB`;
  if (backend === 'webgpu') {
    const limit = Math.min(limits.maxBindingBytes ?? Infinity, limits.maxBufferBytes ?? Infinity);
    const worst = later.reduce((a, b) => (b.largestTensorBytes > a.largestTensorBytes ? b : a), later[0]);
    if (worst && Number.isFinite(limit) && worst.largestTensorBytes > limit) {
      return `${worst.stage} at ${voxels} voxels needs a ${mib(worst.largestTensorBytes)} tensor, and this GPU binds at most ${mib(limit)} per buffer (maxStorageBufferBindingSize)`;
    }
    return null;
  }
  const resident = policy === 'keep' ? plan.keepAllPeak : Math.max(0, ...later.map((s) => s.peakBytes));
  if (resident > WASM_HEAP_LIMIT_BYTES) {
    const worst = later.reduce((a, b) => (b.peakBytes > a.peakBytes ? b : a), later[0]);
    return `${worst.stage} at ${voxels} voxels needs about ${gib(resident)} (weights ${gib(worst.weightBytes)} + activations ${gib(worst.activationBytes)}), and the WASM backend's heap holds at most ${gib(WASM_HEAP_LIMIT_BYTES)}`;
  }
  return null;
}
