// Transformer blocks of the TRELLIS flows (ModulatedTransformerCrossBlock and its sparse twin,
// which is the same math on the [1,M,C] token tensor of one sample) and the final
// LN + out_layer head shared by both flows.

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';
import { geluTanh, layerNorm, linear } from './basic.ts';
import { type AttentionOptions, crossAttention, selfAttention } from './attention.ts';

export interface ModulatedBlockConfig {
  channels: number;
  ctxChannels: number;
  heads: number;
  mlpRatio: number;
  qkRmsNorm: boolean;
  attn: AttentionOptions;
  /** Cross-attention's options when they differ from `attn` (fewer query pieces: L ≪ S). */
  crossAttn?: AttentionOptions;
  /** Static token count (unrolled query blocks) or undefined (dynamic: K query pieces sized at run time). */
  seqLen?: number;
}

/** FeedForwardNet: `${prefix}.mlp.0` → GELU(tanh) → `${prefix}.mlp.2`. */
export function feedForward(g: GraphBuilder, w: Weights, x: string, prefix: string, channels: number, mlpRatio: number): string {
  const hidden = Math.floor(channels * mlpRatio);
  return g.scope(prefix, () => {
    const h = geluTanh(g, linear(g, w, x, `${prefix}.mlp.0`, channels, hidden));
    return linear(g, w, h, `${prefix}.mlp.2`, hidden, channels);
  });
}

/**
 * ModulatedTransformerCrossBlock (share_mod False): x [B,T,C], siluTEmb = SiLU(t_emb) [B,C]
 * (the same for every block, so the caller computes it once), ctx [B,L,Cc] → [B,T,C].
 */
export function modulatedCrossBlock(g: GraphBuilder, w: Weights, x: string, siluTEmb: string, ctx: string, prefix: string, cfg: ModulatedBlockConfig): string {
  const c = cfg.channels;
  return g.scope(prefix, () => {
    const mod = linear(g, w, siluTEmb, `${prefix}.adaLN_modulation.1`, c, 6 * c); // [B,6C]
    const mod3 = g.op('Unsqueeze', [mod, g.i64([1])]); // [B,1,6C]: broadcast over tokens
    const [shiftMsa, scaleMsa, gateMsa, shiftMlp, scaleMlp, gateMlp] = g.nodeMulti('Split', [mod3, g.i64(Array(6).fill(c))], 6, { axis: -1 });
    const one = g.scalar(1);
    const modulate = (h: string, shift: string, scale: string) => g.op('Add', [g.op('Mul', [h, g.op('Add', [scale, one])]), shift]);

    let h = g.scope('norm1', () => modulate(layerNorm(g, w, x, c, 1e-6), shiftMsa, scaleMsa));
    h = selfAttention(g, w, h, `${prefix}.self_attn`, { channels: c, heads: cfg.heads, qkRmsNorm: cfg.qkRmsNorm, attn: cfg.attn, seqLen: cfg.seqLen });
    let y = g.op('Add', [x, g.op('Mul', [h, gateMsa])]);

    h = g.scope('norm2', () => layerNorm(g, w, y, c, 1e-6, `${prefix}.norm2`));
    h = crossAttention(g, w, h, ctx, `${prefix}.cross_attn`, { channels: c, ctxChannels: cfg.ctxChannels, heads: cfg.heads, attn: cfg.crossAttn ?? cfg.attn, seqLen: cfg.seqLen });
    y = g.op('Add', [y, h]);

    h = g.scope('norm3', () => modulate(layerNorm(g, w, y, c, 1e-6), shiftMlp, scaleMlp));
    h = feedForward(g, w, h, `${prefix}.mlp`, c, cfg.mlpRatio);
    return g.op('Add', [y, g.op('Mul', [h, gateMlp])]);
  });
}

/** Flow head: layer_norm(h, eps 1e-5, no affine) → `out_layer`. */
export function flowOutputHead(g: GraphBuilder, w: Weights, h: string, channels: number, outChannels: number): string {
  return g.scope('out_layer', () => linear(g, w, layerNorm(g, w, h, channels, 1e-5), 'out_layer', channels, outChannels));
}
