// Peak device memory per stage, from the weights (file sizes, which is what ORT uploads) and an
// activation estimate from each network's config. The estimate counts the tensors alive at the
// worst point of a forward pass in fp32 (ORT's WebGPU kernels compute in the weights' dtype for
// fp16 models, so this over-estimates those by ~2× on activations; deliberately conservative):
//   dense transformers (DINOv2, ss_flow, slat_flow trunk): residual + normed copy + QKV + one
//     attention score block [B,H,q,T] (the graphs split attention into query blocks of q rows;
//     q = 1024, the converter default) + MLP hidden [T, 4C];
//   ss_decoder: three [C, R³] tensors at its largest level;
//   slat_flow io blocks: the submanifold conv's gathered [N, 27, C_io] (gather-all worst case);
//   SLat decoders: swin-window transformer at N tokens (all windows batched: T·H·w³ scores);
//     the mesh decoder as converted (head + chunked tail, see decoders.ts): the largest of its
//     trunk, the 8N-row level ×3 and two tail chunks; the Gaussian decoder adds its [N, 448] output.
// N is the number of occupied voxels at 64³ (TRELLIS outputs typically have 10k–40k).
import type { ComponentName, ManifestV1 } from '../../models/manifest.ts';
import { MESH_CHUNK_BYTES } from './decoders.ts';

export const F32 = 4;
export const DEFAULT_VOXELS = 40_000;
const QUERY_BLOCK = 1024;

export interface StagePeak {
  stage: string;
  components: ComponentName[];
  weightBytes: number;
  activationBytes: number;
  /** weights + activations of this stage (per-stage release) */
  peakBytes: number;
}

export interface MemoryPlan {
  voxels: number;
  stages: StagePeak[];
  /** Largest stage: the peak under the 'per-stage' release policy. */
  perStagePeak: number;
  /** All weights resident + the largest activation: the peak under 'keep'. */
  keepAllPeak: number;
}

type Args = Record<string, any>;

/** Swin blocks: all windows at once, scores [windows, H, w³, w³] ≈ T·H·w³ values. */
function windowTransformerActivation(tokens: number, channels: number, heads: number, window: number, mlpRatio: number): number {
  const dense = tokens * channels * (2 + 3) + tokens * channels * mlpRatio;
  return (dense + tokens * heads * window ** 3) * F32;
}

function transformerActivation(tokens: number, channels: number, heads: number, batch: number, mlpRatio = 4): number {
  const q = Math.min(QUERY_BLOCK, tokens);
  const dense = batch * tokens * channels * (2 + 3) + batch * tokens * channels * mlpRatio;
  const scores = batch * heads * q * tokens;
  return (dense + scores) * F32;
}

/** Activation estimate; 0 when the config lacks the fields the estimate needs (unknown networks). */
export function activationBytes(component: ComponentName, args: Args, voxels: number, cfgBatch = 1): number {
  try {
    const v = activationEstimate(component, args, voxels, cfgBatch);
    return Number.isFinite(v) && v > 0 ? v : 0;
  } catch {
    return 0;
  }
}

function activationEstimate(component: ComponentName, args: Args, voxels: number, cfgBatch: number): number {
  switch (component) {
    case 'dinov2': {
      const img = args.img_size ?? 518;
      const patch = args.patch_size ?? 14;
      const tokens = (img / patch) ** 2 + 1 + (args.num_register_tokens ?? 4);
      const C = args.embed_dim ?? 1024;
      return transformerActivation(tokens, C, args.num_heads ?? 16, 1, args.mlp_ratio ?? 4) + 3 * img * img * F32;
    }
    case 'ss_flow': {
      const T = args.resolution ** 3;
      return transformerActivation(T, args.model_channels, args.num_heads ?? args.model_channels / 64, cfgBatch, args.mlp_ratio ?? 4);
    }
    case 'ss_decoder': {
      const ch: number[] = args.channels;
      let worst = 0;
      ch.forEach((c, i) => {
        const res = 16 * 2 ** i;
        worst = Math.max(worst, 3 * c * res ** 3 * F32);
      });
      return worst;
    }
    case 'slat_flow': {
      const coarse = Math.ceil(voxels / 2);
      const io = args.io_block_channels?.[0] ?? 128;
      const conv = voxels * 27 * io * F32 + 2 * voxels * io * F32;
      return Math.max(conv, transformerActivation(coarse, args.model_channels, args.num_heads ?? 16, 1, args.mlp_ratio ?? 4));
    }
    case 'slat_decoder_mesh': {
      // Chunked form (what the converter writes): the head runs the swin trunk at N and the
      // first subdivision at 8N; the finest level runs in tail chunks whose gathered conv input
      // is at most MESH_CHUNK_BYTES; h_sub1/a_sub1 and the output chunks go back to the host.
      const C = args.model_channels;
      const trunk = windowTransformerActivation(voxels, C, args.num_heads ?? 12, args.window_size ?? 8, args.mlp_ratio ?? 4);
      const sub1 = 3 * 8 * voxels * (C / 4) * F32;
      const tail = 2 * MESH_CHUNK_BYTES;
      return Math.max(trunk, sub1, tail);
    }
    case 'slat_decoder_gs': {
      const C = args.model_channels;
      const out = 14 * (args.representation_config?.num_gaussians ?? 32);
      return windowTransformerActivation(voxels, C, args.num_heads ?? 12, args.window_size ?? 8, args.mlp_ratio ?? 4) + voxels * out * F32;
    }
    default:
      return 0;
  }
}

/** Stages of one generation, in order, with the components each needs resident. */
const STAGES: { stage: string; components: ComponentName[] }[] = [
  { stage: 'background_removal', components: ['background_removal'] },
  { stage: 'conditioning', components: ['dinov2'] },
  { stage: 'sparse_structure', components: ['ss_flow'] },
  { stage: 'sparse_decode', components: ['ss_decoder'] },
  { stage: 'structured_latent', components: ['slat_flow'] },
  { stage: 'mesh_decode', components: ['slat_decoder_mesh'] },
  { stage: 'gaussian_decode', components: ['slat_decoder_gs'] },
];

export function weightBytesOf(manifest: Pick<ManifestV1, 'components'>, name: ComponentName): number {
  return (manifest.components[name]?.files ?? []).reduce((s, f) => s + f.size, 0);
}

export function memoryPlan(manifest: Pick<ManifestV1, 'components'>, voxels = DEFAULT_VOXELS, cfgBatch = 1): MemoryPlan {
  const stages: StagePeak[] = [];
  for (const s of STAGES) {
    const present = s.components.filter((c) => manifest.components[c] !== undefined);
    if (present.length === 0) continue;
    let weightBytes = 0;
    let act = 0;
    for (const c of present) {
      weightBytes += weightBytesOf(manifest, c);
      act += c === 'background_removal' ? 320 * 320 * 64 * F32 : activationBytes(c, manifest.components[c]!.config as Args, voxels, c === 'ss_flow' ? cfgBatch : 1);
    }
    stages.push({ stage: s.stage, components: present, weightBytes, activationBytes: act, peakBytes: weightBytes + act });
  }
  const totalWeights = stages.reduce((s, x) => s + x.weightBytes, 0);
  const maxAct = Math.max(0, ...stages.map((s) => s.activationBytes));
  return {
    voxels,
    stages,
    perStagePeak: Math.max(0, ...stages.map((s) => s.peakBytes)),
    keepAllPeak: totalWeights + maxAct,
  };
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}
