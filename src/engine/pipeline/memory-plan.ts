// Peak memory per stage, from the weights (file sizes, as each backend holds them) and an
// activation estimate from each network's config, for the graph forms the converter writes.
// The estimate counts the fp32 tensors alive at the worst point of a forward pass:
//   dense transformers (DINOv2, ss_flow): residual + normed copy + QKV + MLP hidden [T, 4C] +
//     one attention score block [B,H,q,T] (static query blocks of q = 256 rows);
//   ss_decoder: three [C, R³] tensors at its largest level, plus (WASM) the CPU Conv's im2col
//     buffer [27·C, R³];
//   slat_flow: the fine level after the first out block's upsample and concat ([N, 2C] twice:
//     concat + normed copy, convs accumulate so no [N, 27, C] exists) or the coarse transformer
//     (dense [M, C] tensors, the MLP hidden, and one attention piece: heads cut into pieces of
//     headsPerPieceFor(...) heads, scores [h, M, M]);
//   SLat decoders: swin-window transformer at N tokens (all windows batched: T·H·w³ scores);
//     the mesh decoder as converted (head + chunked tail, see decoders.ts): the largest of its
//     trunk, the 8N-row level ×3 and two tail chunks; the Gaussian decoder adds its [N, 448] output.
// Weights: WASM sessions keep fp16 initializers as stored (graph optimisation off, the Casts run
// per layer: + one layer's fp32 copy), WebGPU folds them to fp32 on the device (2× an fp16 file).
// bench/full-size.ts prints this plan next to the measured wasm heap of every stage.
// N is the number of occupied voxels at 64³ (TRELLIS outputs typically have 10k–40k).
import type { ComponentName, ManifestV1 } from '../../models/manifest.ts';
import { MESH_CHUNK_BYTES } from './decoders.ts';

export const F32 = 4;
export const DEFAULT_VOXELS = 40_000;
/** Static query block of the DINOv2/ss_flow attention (convert/layers/attention.ts DEFAULT_ATTENTION). */
const QUERY_BLOCK = 256;
/** SLat flow attention pieces are sized for this many coarse tokens (convert/networks/slat-flow.ts). */
const SLAT_TOKENS_DESIGN = 8192;
const SCORE_TENSOR_BUDGET = 256 * 1024 ** 2;
const COND_TOKENS = 1374;

export type PlanBackend = 'wasm' | 'webgpu';

export interface StagePeak {
  stage: string;
  components: ComponentName[];
  weightBytes: number;
  activationBytes: number;
  /** weights + activations of this stage (per-stage release) */
  peakBytes: number;
  /** The largest single tensor of the stage's forward (what one WebGPU binding must hold). */
  largestTensorBytes: number;
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

/** Activations of one forward and the largest single tensor in it (bytes). */
export interface ActivationEstimate {
  bytes: number;
  largestTensor: number;
}

/** Swin blocks: all windows at once, scores [windows, H, w³, w³] ≈ T·H·w³ values. */
function windowTransformer(tokens: number, channels: number, heads: number, window: number, mlpRatio: number): ActivationEstimate {
  const dense = tokens * channels * (2 + 3) + tokens * channels * mlpRatio;
  const scores = tokens * heads * window ** 3;
  return { bytes: (dense + scores) * F32, largestTensor: Math.max(scores, tokens * channels * mlpRatio) * F32 };
}

function denseTransformer(tokens: number, channels: number, heads: number, batch: number, mlpRatio = 4): ActivationEstimate {
  const q = Math.min(QUERY_BLOCK, tokens);
  const dense = batch * tokens * channels * (2 + 3) + batch * tokens * channels * mlpRatio;
  const scores = batch * heads * q * tokens;
  return { bytes: (dense + scores) * F32, largestTensor: Math.max(scores, batch * tokens * channels * mlpRatio) * F32 };
}

/** Heads per attention piece as the converter sizes them (convert/layers/attention.ts headsPerPieceFor). */
function headsPerPiece(heads: number, queries: number, keys: number): number {
  let best = 1;
  for (let h = 1; h <= heads; h++) if (heads % h === 0 && h * queries * keys * F32 <= SCORE_TENSOR_BUDGET) best = h;
  return best;
}

/** Coarse tokens of the SLat flow for N fine voxels of a surface (measured on shells: M ≈ N/4). */
export function slatCoarseTokens(voxels: number): number {
  return Math.ceil(voxels / 4);
}

function slatFlow(args: Args, voxels: number): ActivationEstimate {
  const C = args.model_channels;
  const heads = args.num_heads ?? C / 64;
  const mlp = args.mlp_ratio ?? 4;
  const io = args.io_block_channels?.[0] ?? 128;
  const M = slatCoarseTokens(voxels);
  const bound = Math.min(SLAT_TOKENS_DESIGN, (args.resolution / 2) ** 3);
  const selfPiece = headsPerPiece(heads, bound, bound) * M * M;
  const crossPiece = headsPerPiece(heads, bound, COND_TOKENS) * M * COND_TOKENS;
  // Coarse transformer: residual, normed copy, qkv (3), attention output, MLP hidden, one score piece.
  const trunk = M * C * (2 + 3 + 1) + M * C * mlp + Math.max(selfPiece, crossPiece);
  // Fine level after the first out block's upsample + concat: [N, 2C] concat and its normed
  // copy, one conv product [N, io] and the skip [N, io].
  const fine = 2 * voxels * 2 * C + 2 * voxels * io;
  return { bytes: Math.max(trunk, fine) * F32, largestTensor: Math.max(selfPiece, crossPiece, M * C * mlp, voxels * 2 * C) * F32 };
}

/** Activation estimate; zeros when the config lacks the fields the estimate needs (unknown networks). */
export function activationEstimate(component: ComponentName, args: Args, voxels: number, cfgBatch = 1, backend: PlanBackend = 'wasm'): ActivationEstimate {
  try {
    const v = estimate(component, args, voxels, cfgBatch, backend);
    return Number.isFinite(v.bytes) && v.bytes > 0 ? v : { bytes: 0, largestTensor: 0 };
  } catch {
    return { bytes: 0, largestTensor: 0 };
  }
}

/** Activation bytes alone (see activationEstimate). */
export function activationBytes(component: ComponentName, args: Args, voxels: number, cfgBatch = 1, backend: PlanBackend = 'wasm'): number {
  return activationEstimate(component, args, voxels, cfgBatch, backend).bytes;
}

function estimate(component: ComponentName, args: Args, voxels: number, cfgBatch: number, backend: PlanBackend): ActivationEstimate {
  switch (component) {
    case 'dinov2': {
      const img = args.img_size ?? 518;
      const patch = args.patch_size ?? 14;
      const tokens = (img / patch) ** 2 + 1 + (args.num_register_tokens ?? 4);
      const t = denseTransformer(tokens, args.embed_dim ?? 1024, args.num_heads ?? 16, 1, args.mlp_ratio ?? 4);
      return { bytes: t.bytes + 3 * img * img * F32, largestTensor: t.largestTensor };
    }
    case 'ss_flow':
      return denseTransformer(args.resolution ** 3, args.model_channels, args.num_heads ?? args.model_channels / 64, cfgBatch, args.mlp_ratio ?? 4);
    case 'ss_decoder': {
      const ch: number[] = args.channels;
      let worst = 0;
      let largest = 0;
      ch.forEach((c, i) => {
        const cells = (16 * 2 ** i) ** 3;
        // ORT's CPU Conv lowers a 3-D conv to a GEMM over an im2col buffer [27·C, R³].
        const im2col = backend === 'wasm' ? 27 * c * cells : 0;
        worst = Math.max(worst, 3 * c * cells + im2col);
        largest = Math.max(largest, c * cells);
      });
      return { bytes: worst * F32, largestTensor: largest * F32 };
    }
    case 'slat_flow':
      return slatFlow(args, voxels);
    case 'slat_decoder_mesh': {
      // Chunked form (what the converter writes): the head runs the swin trunk at N and the
      // first subdivision at 8N; the finest level runs in tail chunks whose gathered conv input
      // is at most MESH_CHUNK_BYTES; h_sub1/a_sub1 and the output chunks go back to the host.
      const C = args.model_channels;
      const trunk = windowTransformer(voxels, C, args.num_heads ?? 12, args.window_size ?? 8, args.mlp_ratio ?? 4);
      const sub1 = 3 * 8 * voxels * (C / 4) * F32;
      const tail = 2 * MESH_CHUNK_BYTES;
      return { bytes: Math.max(trunk.bytes, sub1, tail), largestTensor: Math.max(trunk.largestTensor, 8 * voxels * (C / 4) * F32, MESH_CHUNK_BYTES) };
    }
    case 'slat_decoder_gs': {
      const C = args.model_channels;
      const out = 14 * (args.representation_config?.num_gaussians ?? 32);
      const t = windowTransformer(voxels, C, args.num_heads ?? 12, args.window_size ?? 8, args.mlp_ratio ?? 4);
      return { bytes: t.bytes + voxels * out * F32, largestTensor: Math.max(t.largestTensor, voxels * out * F32) };
    }
    default:
      return { bytes: 0, largestTensor: 0 };
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

/** Bytes the backend holds for a component's weights: WebGPU folds fp16 initializers to fp32. */
export function residentWeightBytes(manifest: Pick<ManifestV1, 'components'>, name: ComponentName, backend: PlanBackend): number {
  const bytes = weightBytesOf(manifest, name);
  const fp16 = (manifest.components[name] as { dtype?: string } | undefined)?.dtype === 'fp16';
  return backend === 'webgpu' && fp16 ? 2 * bytes : bytes;
}

export function memoryPlan(manifest: Pick<ManifestV1, 'components'>, voxels = DEFAULT_VOXELS, cfgBatch = 1, backend: PlanBackend = 'wasm'): MemoryPlan {
  const stages: StagePeak[] = [];
  for (const s of STAGES) {
    const present = s.components.filter((c) => manifest.components[c] !== undefined);
    if (present.length === 0) continue;
    let weightBytes = 0;
    let act = 0;
    let largest = 0;
    for (const c of present) {
      weightBytes += residentWeightBytes(manifest, c, backend);
      const e = c === 'background_removal'
        ? { bytes: 320 * 320 * 64 * F32, largestTensor: 320 * 320 * 64 * F32 }
        : activationEstimate(c, manifest.components[c]!.config as Args, voxels, c === 'ss_flow' ? cfgBatch : 1, backend);
      act += e.bytes;
      largest = Math.max(largest, e.largestTensor);
    }
    stages.push({ stage: s.stage, components: present, weightBytes, activationBytes: act, peakBytes: weightBytes + act, largestTensorBytes: largest });
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
