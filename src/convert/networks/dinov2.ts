// DINOv2 ViT with register tokens (dinov2_vitl14_reg) as an ONNX graph, from torch-hub or
// Hugging Face weights. I/O: image [B,3,S,S] (ImageNet-normalised) → x_prenorm [B,T,C] (the
// last block's output) and cond [B,T,C] = layer_norm(x_prenorm, eps 1e-5, no affine), the
// conditioning TRELLIS feeds its flows. T = 1 + registers + (S/patch)².

import { geluErf, layerNorm, linear } from '../layers/basic.ts';
import { selfAttention } from '../layers/attention.ts';
import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { StateDictSource, Weights } from '../weights.ts';
import { dinov2Layout, parameterCount } from '../state-dict-layout.ts';
import { HfDinov2Source, isHfDinov2 } from './dinov2-hf-names.ts';
import { ArgReader, type ConvertOptions, type NetworkIO, attentionOptions } from './network-io.ts';

export interface Dinov2Args {
  imgSize: number;
  patchSize: number;
  embedDim: number;
  depth: number;
  numHeads: number;
  mlpRatio: number;
  numRegisterTokens: number;
  /** LayerScale present (init_values set) → `blocks.i.ls{1,2}.gamma`. */
  layerScale: boolean;
  layerNormEps: number;
}

/** Torch-hub DinoVisionTransformer args (golden config.json; or the HF mapper's output). */
export function parseDinov2Args(args: Record<string, any>): Dinov2Args {
  const r = new ArgReader('DinoVisionTransformer', args);
  r.only('ffn_layer', ['mlp'], 'mlp');
  r.only('block_chunks', [0], 0);
  r.only('num_channels', [3], 3);
  const a: Dinov2Args = {
    imgSize: r.int('img_size', 518),
    patchSize: r.int('patch_size', 14),
    embedDim: r.int('embed_dim'),
    depth: r.int('depth'),
    numHeads: r.int('num_heads'),
    mlpRatio: r.num('mlp_ratio', 4),
    numRegisterTokens: r.int('num_register_tokens', 0, 0),
    layerScale: args.init_values !== undefined && args.init_values !== null && args.init_values !== 0,
    layerNormEps: r.num('layer_norm_eps', 1e-6),
  };
  if (a.imgSize % a.patchSize !== 0) throw new Error(`DinoVisionTransformer config: img_size ${a.imgSize} is not a multiple of patch_size ${a.patchSize}`);
  if (a.embedDim % a.numHeads !== 0) throw new Error(`DinoVisionTransformer config: embed_dim ${a.embedDim} is not divisible by num_heads ${a.numHeads}`);
  return a;
}

export function dinov2TokenCount(a: Dinov2Args): number {
  const side = a.imgSize / a.patchSize;
  return 1 + a.numRegisterTokens + side * side;
}

export function dinov2IO(a: Dinov2Args): NetworkIO {
  const T = dinov2TokenCount(a);
  return {
    inputs: [{ name: 'image', dtype: 'float32', shape: ['B', 3, a.imgSize, a.imgSize] }],
    outputs: [
      { name: 'cond', dtype: 'float32', shape: ['B', T, a.embedDim] },
      { name: 'x_prenorm', dtype: 'float32', shape: ['B', T, a.embedDim] },
    ],
  };
}

/** Torch-hub names for any supported checkpoint: HF-named sources are wrapped. */
export function dinov2Source(src: StateDictSource): StateDictSource {
  return isHfDinov2(src) ? new HfDinov2Source(src) : src;
}

export function dinov2ParameterCount(args: Record<string, any>): number {
  return parameterCount(dinov2Layout(args));
}

/** Tensors a strict load may leave unused: the mask token (training only) and the final norm (TRELLIS uses x_prenorm). */
export const DINOV2_UNUSED = (k: string): boolean => k === 'mask_token' || k === 'norm.weight' || k === 'norm.bias';

/**
 * Build the graph into `w.g`. `w` must read torch-hub names: wrap HF checkpoints with
 * dinov2Source() first.
 */
export function buildDinov2(args: Record<string, any>, w: Weights, opts: ConvertOptions = {}): { graph: GraphBuilder; io: NetworkIO } {
  const a = parseDinov2Args(args);
  const g = w.g;
  const io = dinov2IO(a);
  const attn = attentionOptions(opts);
  const C = a.embedDim;
  const p = a.patchSize;
  const side = a.imgSize / p;
  const nPatch = side * side;
  const T = dinov2TokenCount(a);

  const image = g.input('image', 'float32', io.inputs[0].shape);
  // cls/register tokens [1,R,C] → [B,R,C] as ones[B,1,1]·t: an Expand would need its shape from
  // Shape/Concat, which ORT always places on its CPU EP. ones = Softmax over a one-element axis
  // of the image's first pixel (exactly 1; NaN/Inf inputs still propagate).
  const ones = g.scope('batch_ones', () => g.op('Softmax', [g.op('Slice', [image, g.i64([0, 0, 0]), g.i64([1, 1, 1]), g.i64([1, 2, 3])])], { axis: -1 })); // [B,1,1,1]
  const ones3 = g.op('Squeeze', [ones, g.i64([3])]); // [B,1,1]
  const expandTo = (t: string) => g.op('Mul', [ones3, t]);

  let x = g.scope('patch_embed', () => {
    const conv = g.op('Conv', [image, w.tensor('patch_embed.proj.weight', [C, 3, p, p]), w.tensor('patch_embed.proj.bias', [C])], {
      kernel_shape: [p, p], strides: [p, p], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1,
    }); // [B,C,side,side]
    // Patch index py·side + px (row-major over the image), as flatten(2) gives.
    return g.op('Transpose', [g.op('Reshape', [conv, g.i64([0, C, nPatch])])], { perm: [0, 2, 1] });
  });
  x = g.scope('embed', () => {
    // At the native size the stored table is used as is (the reference's interpolation returns
    // it unchanged when npatch == N and w == h), so no resampling node is needed.
    const pos = w.tensor('pos_embed', [1, 1 + nPatch, C]);
    const withCls = g.op('Add', [g.op('Concat', [expandTo(w.tensor('cls_token', [1, 1, C])), x], { axis: 1 }), pos]);
    if (a.numRegisterTokens === 0) return withCls;
    const regs = expandTo(w.tensor('register_tokens', [1, a.numRegisterTokens, C]));
    const cls = g.op('Slice', [withCls, g.i64([0]), g.i64([1]), g.i64([1])]);
    const patches = g.op('Slice', [withCls, g.i64([1]), g.i64([1 + nPatch]), g.i64([1])]);
    return g.op('Concat', [cls, regs, patches], { axis: 1 });
  });

  const hidden = Math.floor(C * a.mlpRatio);
  const eps = a.layerNormEps;
  const layerScale = (h: string, key: string) => (a.layerScale ? g.op('Mul', [h, w.tensor(key, [C])]) : h);
  for (let i = 0; i < a.depth; i++) {
    const b = `blocks.${i}`;
    x = g.scope(b, () => {
      let h = g.scope('norm1', () => layerNorm(g, w, x, C, eps, `${b}.norm1`));
      h = selfAttention(g, w, h, `${b}.attn`, { channels: C, heads: a.numHeads, qkRmsNorm: false, attn, seqLen: T, qkvName: 'qkv', outName: 'proj' });
      const y = g.op('Add', [x, layerScale(h, `${b}.ls1.gamma`)]);
      h = g.scope('norm2', () => layerNorm(g, w, y, C, eps, `${b}.norm2`));
      h = g.scope('mlp', () => linear(g, w, geluErf(g, linear(g, w, h, `${b}.mlp.fc1`, C, hidden)), `${b}.mlp.fc2`, hidden, C));
      return g.op('Add', [y, layerScale(h, `${b}.ls2.gamma`)]);
    });
  }
  const cond = g.scope('cond', () => layerNorm(g, w, x, C, 1e-5));
  g.output(cond, 'cond', 'float32', io.outputs[0].shape);
  g.output(x, 'x_prenorm', 'float32', io.outputs[1].shape);
  w.assertAllUsed(DINOV2_UNUSED);
  return { graph: g, io };
}
