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
