// The shared trunk of the SLat decoders (SparseTransformerBase, networks.md §6 steps 1–2):
// input_layer + absolute position embedding, then num_blocks plain sparse transformer blocks
// (§1.8) with swin window attention, shift 0 on even blocks and window/2 on odd blocks.
//
// Graph inputs it declares: feats [N,latent] float32, pos [N,3] int32 (x,y,z of each row) and the
// swin tables of both shifts (see layers/swin-attention.ts).

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';
import { geluTanh, layerNorm, linear } from '../layers/basic.ts';
import { declareSwinInputs, swinSelfAttention, type SwinTableInputs } from '../layers/swin-attention.ts';

export interface SparseTrunkConfig {
  modelChannels: number;
  latentChannels: number;
  numBlocks: number;
  numHeads: number;
  mlpRatio: number;
  windowSize: number;
  /** Grid size of the input coords (APE table size): coords must lie in [0, resolution). */
  resolution: number;
  /** Padded window groups per swin partition (must match buildSwinWindows' groupCount). */
  swinGroups: number;
}

/** Reads the trunk fields of a decoder config ({name, args}.args), rejecting what is not supported. */
export function trunkConfigFromArgs(args: Record<string, any>, label: string, swinGroups = 4): SparseTrunkConfig {
  const need = (k: string) => {
    if (typeof args[k] !== 'number') throw new Error(`${label}: config field ${k} must be a number, got ${JSON.stringify(args[k])}`);
    return args[k] as number;
  };
  const attnMode = args.attn_mode ?? 'swin';
  if (attnMode !== 'swin') throw new Error(`${label}: attn_mode ${JSON.stringify(attnMode)} is not supported (only "swin", as in the released decoders)`);
  const pe = args.pe_mode ?? 'ape';
  if (pe !== 'ape') throw new Error(`${label}: pe_mode ${JSON.stringify(pe)} is not supported (only "ape")`);
  if (args.qk_rms_norm) throw new Error(`${label}: qk_rms_norm true is not supported in the decoders`);
  const C = need('model_channels');
  const heads = typeof args.num_heads === 'number' ? args.num_heads : C / (args.num_head_channels ?? 64);
  return {
    modelChannels: C,
    latentChannels: need('latent_channels'),
    numBlocks: need('num_blocks'),
    numHeads: heads,
    mlpRatio: args.mlp_ratio ?? 4,
    windowSize: args.window_size ?? 8,
    resolution: need('resolution'),
    swinGroups,
  };
}

/** Swin shift of block i: 0 on even blocks, window/2 on odd ones. */
export function blockShift(i: number, windowSize: number): number {
  return i % 2 === 0 ? 0 : windowSize >> 1;
}

/**
 * AbsolutePositionEmbedder: per axis [sin(a·f) (F), cos(a·f) (F)], F = C//3//2, zero-padded to C.
 * Coordinates are integers in [0, resolution), so the per-axis embedding is a constant table
 * [resolution, 2F] gathered by coordinate: no Sin/Cos on the GPU (WGSL sin/cos are only accurate
 * to ~2^-11 and only on [-π, π]; the arguments here reach 63 rad). Arguments are rounded to fp32
 * first, as the reference computes them.
 */
export function absolutePositionEmbedding(g: GraphBuilder, pos: string, channels: number, resolution: number): string {
  return g.scope('pos_embedder', () => {
    const F = Math.floor(Math.floor(channels / 3) / 2);
    const table = new Float32Array(resolution * 2 * F);
    for (let j = 0; j < F; j++) {
      const freq = Math.fround(1 / Math.fround(Math.pow(10000, Math.fround(j / F))));
      for (let a = 0; a < resolution; a++) {
        const arg = Math.fround(a * freq);
        table[a * 2 * F + j] = Math.sin(arg);
        table[a * 2 * F + F + j] = Math.cos(arg);
      }
    }
    const emb = g.op('Gather', [g.constant('float32', [resolution, 2 * F], table, 'sincos_table'), pos], { axis: 0 }); // [N,3,2F]
    const flat = g.op('Reshape', [emb, g.i64([-1, 6 * F])]);
    if (6 * F === channels) return flat;
    return g.op('Pad', [flat, g.i64([0, 0, 0, channels - 6 * F])], { mode: 'constant' });
  });
}

export interface TrunkInputs {
  feats: string;
  pos: string;
  swin: Map<number, SwinTableInputs>;
}

export function declareTrunkInputs(g: GraphBuilder, cfg: SparseTrunkConfig): TrunkInputs {
  const feats = g.input('feats', 'float32', ['N', cfg.latentChannels]);
  const pos = g.input('pos', 'int32', ['N', 3]);
  const swin = new Map<number, SwinTableInputs>();
  for (let i = 0; i < cfg.numBlocks; i++) {
    const s = blockShift(i, cfg.windowSize);
    if (!swin.has(s)) swin.set(s, declareSwinInputs(g, s, cfg.swinGroups));
  }
  return { feats, pos, swin };
}

/** feats/pos/swin inputs → h [N,C] after the last transformer block. */
export function sparseTransformerTrunk(g: GraphBuilder, w: Weights, cfg: SparseTrunkConfig, inputs: TrunkInputs): string {
  const C = cfg.modelChannels;
  const hidden = Math.floor(C * cfg.mlpRatio);
  let h = linear(g, w, inputs.feats, 'input_layer', cfg.latentChannels, C);
  h = g.op('Add', [h, absolutePositionEmbedding(g, inputs.pos, C, cfg.resolution)]);
  for (let i = 0; i < cfg.numBlocks; i++) {
    const p = `blocks.${i}`;
    const tables = inputs.swin.get(blockShift(i, cfg.windowSize))!;
    h = g.scope(p, () => {
      const a = swinSelfAttention(g, w, layerNorm(g, w, h, C, 1e-6), `${p}.attn`, C, cfg.numHeads, tables);
      const x1 = g.op('Add', [h, a]);
      const m0 = linear(g, w, layerNorm(g, w, x1, C, 1e-6), `${p}.mlp.mlp.0`, C, hidden);
      const m2 = linear(g, w, geluTanh(g, m0), `${p}.mlp.mlp.2`, hidden, C);
      return g.op('Add', [x1, m2]);
    });
  }
  return h;
}
