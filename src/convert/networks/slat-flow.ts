// (Elastic)SLatFlowModel (stage-2 sparse flow transformer) as an ONNX graph, one sample per call.
//
// I/O: feats [N,C_in] at the fine voxels, t [1] (already 1000·t), cond [1,L,Cc], and the index
// tables the engine builds once per run from the coords with slatFlowIndexInputs():
//   nbr_fine [N,27] int32, nbr_coarse [M,27] int32, down_children [M,8] int32,
//   down_inv [M,1] float32, up_index [N] int32, coarse_pos [M,3] float32 (coarse x,y,z)
// → v [N,C_out] in the input row order.
// Batch 1: self-attention runs over all M coarse tokens of the call, so the CFG pair is two calls
// (same index tables, cond and neg cond). N and M are dynamic; attention over M runs in a fixed
// number of query pieces sized from the runtime M (layers/attention.ts, option attnQuerySlices).

import { linear, silu } from '../layers/basic.ts';
import { absolutePositionEmbedding, timestepEmbedder } from '../layers/embeddings.ts';
import { sparseDownsample, sparseResBlock, sparseUpsample } from '../layers/sparse-resblock.ts';
import type { SubmConvMode } from '../layers/sparse-conv.ts';
import { flowOutputHead, modulatedCrossBlock } from '../layers/transformer-blocks.ts';
import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';
import { parameterCount, slatFlowLayout } from '../state-dict-layout.ts';
import { SLAT_INDEX_INPUTS } from '../../engine/sparse/slat-flow-index.ts';
import { ArgReader, type ConvertOptions, type NetworkIO, attentionOptions } from './network-io.ts';
import { headsPerPieceFor } from '../layers/attention.ts';

/** Conditioning tokens of DINOv2 ViT-L/14 with 4 registers at 518² (1 + 4 + 37²). */
const DINOV2_COND_TOKENS = 1374;

/**
 * Coarse tokens the released SLat flow's attention is sized for (256 MiB per score tensor):
 * 8192 coarse cells hold ~30–40k fine voxels of a surface, the top of what TRELLIS produces.
 * Larger inputs still run while one head's scores fit the device (1 GiB at 16384 tokens).
 */
export const SLAT_TOKENS_DESIGN = 8192;

export { SLAT_INDEX_INPUTS };

export const SLAT_FLOW_CLASSES = ['SLatFlowModel', 'ElasticSLatFlowModel'];

export interface SlatFlowArgs {
  resolution: number;
  inChannels: number;
  outChannels: number;
  modelChannels: number;
  condChannels: number;
  numBlocks: number;
  numHeads: number;
  mlpRatio: number;
  numIoResBlocks: number;
  /** Channels of the single fine level (patch_size 2 ↔ one io level). */
  ioChannels: number;
  qkRmsNorm: boolean;
  useSkipConnection: boolean;
}

export function parseSlatFlowArgs(args: Record<string, any>): SlatFlowArgs {
  const r = new ArgReader('SLatFlowModel', args);
  r.only('pe_mode', ['ape'], 'ape');
  r.only('share_mod', [false], false);
  r.only('qk_rms_norm_cross', [false], false);
  // One down/up level (the released model). Deeper U-nets would need one index set per level.
  r.only('patch_size', [2], 2);
  const io = r.intList('io_block_channels');
  if (io.length !== 1) throw new Error(`SLatFlowModel config: args.io_block_channels must have one entry for patch_size 2 (got ${JSON.stringify(io)})`);
  const modelChannels = r.int('model_channels');
  const numHeads = args.num_heads !== undefined && args.num_heads !== null ? r.int('num_heads') : Math.floor(modelChannels / r.int('num_head_channels', 64));
  if (modelChannels % numHeads !== 0) throw new Error(`SLatFlowModel config: model_channels ${modelChannels} is not divisible by num_heads ${numHeads}`);
  return {
    resolution: r.int('resolution'),
    inChannels: r.int('in_channels'),
    outChannels: r.int('out_channels'),
    modelChannels,
    condChannels: r.int('cond_channels'),
    numBlocks: r.int('num_blocks'),
    numHeads,
    mlpRatio: r.num('mlp_ratio', 4),
    numIoResBlocks: r.int('num_io_res_blocks', 2),
    ioChannels: io[0],
    qkRmsNorm: r.bool('qk_rms_norm', false),
    useSkipConnection: r.bool('use_skip_connection', true),
  };
}

export function slatFlowIO(a: SlatFlowArgs): NetworkIO {
  return {
    inputs: [
      { name: 'feats', dtype: 'float32', shape: ['N', a.inChannels] },
      { name: 't', dtype: 'float32', shape: [1] },
      { name: 'cond', dtype: 'float32', shape: [1, 'L', a.condChannels] },
      { name: 'nbr_fine', dtype: 'int32', shape: ['N', 27] },
      { name: 'nbr_coarse', dtype: 'int32', shape: ['M', 27] },
      { name: 'down_children', dtype: 'int32', shape: ['M', 8] },
      { name: 'down_inv', dtype: 'float32', shape: ['M', 1] },
      { name: 'up_index', dtype: 'int32', shape: ['N'] },
      { name: 'coarse_pos', dtype: 'float32', shape: ['M', 3] },
    ],
    outputs: [{ name: 'v', dtype: 'float32', shape: ['N', a.outChannels] }],
  };
}

export function slatFlowParameterCount(args: Record<string, any>): number {
  return parameterCount(slatFlowLayout(args));
}

export interface SlatFlowConvertOptions extends ConvertOptions {
  /** Submanifold conv recipe ('gather-all' materialises [N,27,Cin]; 'accumulate' does not). */
  convMode?: SubmConvMode;
}

/** Build the graph into `w.g`. Strict: every checkpoint tensor must be consumed. */
export function buildSlatFlow(args: Record<string, any>, w: Weights, opts: SlatFlowConvertOptions = {}): { graph: GraphBuilder; io: NetworkIO } {
  const a = parseSlatFlowArgs(args);
  const g = w.g;
  const io = slatFlowIO(a);
  // Attention over the M coarse tokens is cut along the heads (static slices; query pieces sized
  // at run time made ORT's session creation quadratic in their number). Pieces are sized so every
  // score tensor stays within SCORE_TENSOR_BUDGET up to SLAT_TOKENS_DESIGN coarse tokens; an
  // explicit attnQuerySlices selects the query-piece form instead (tests of that path).
  const tokenBound = Math.min(SLAT_TOKENS_DESIGN, (a.resolution / 2) ** 3);
  const pieces = (keys: number): ConvertOptions =>
    opts.attnQuerySlices !== undefined ? opts : { ...opts, attnHeadsPerPiece: opts.attnHeadsPerPiece ?? headsPerPieceFor(a.numHeads, tokenBound, keys) };
  const attn = attentionOptions(pieces(tokenBound));
  const crossAttn = attentionOptions(pieces(DINOV2_COND_TOKENS));
  const C = a.modelChannels;
  const io0 = a.ioChannels;
  const inp: Record<string, string> = {};
  for (const s of io.inputs) inp[s.name] = g.input(s.name, s.dtype, s.shape);

  const tEmb = timestepEmbedder(g, w, inp.t, C);
  const siluT = g.scope('t_emb_silu', () => silu(g, tEmb)); // [1,C]
  const res = (x: string, nbr: string, prefix: string, cin: number, cout: number) =>
    sparseResBlock(g, w, x, siluT, nbr, prefix, { cin, cout, embChannels: C, convMode: opts.convMode });

  let h = linear(g, w, inp.feats, 'input_layer', a.inChannels, io0); // [N,io0]
  const skips: string[] = [];
  let blk = 0;
  for (; blk < a.numIoResBlocks - 1; blk++) {
    h = res(h, inp.nbr_fine, `input_blocks.${blk}`, io0, io0);
    skips.push(h);
  }
  // The down block resamples its input first; both of its branches see the coarse x.
  h = g.scope(`input_blocks.${blk}`, () => sparseDownsample(g, h, io0, inp.down_children, inp.down_inv));
  h = res(h, inp.nbr_coarse, `input_blocks.${blk}`, io0, C); // [M,C]
  skips.push(h);

  h = g.scope('pos_emb', () => g.op('Add', [h, absolutePositionEmbedding(g, inp.coarse_pos, C)]));
  let tok = g.op('Unsqueeze', [h, g.i64([0])]); // [1,M,C]
  for (let i = 0; i < a.numBlocks; i++) {
    tok = modulatedCrossBlock(g, w, tok, siluT, inp.cond, `blocks.${i}`, {
      channels: C, ctxChannels: a.condChannels, heads: a.numHeads, mlpRatio: a.mlpRatio, qkRmsNorm: a.qkRmsNorm, attn, crossAttn,
    });
  }
  h = g.op('Squeeze', [tok, g.i64([0])]); // [M,C]

  // Out blocks take concat([h, skip]) (current first); the first one upsamples to the fine level.
  const withSkip = (x: string, skip: string) => (a.useSkipConnection ? g.op('Concat', [x, skip], { axis: 1 }) : x);
  const mult = a.useSkipConnection ? 2 : 1;
  let skip = skips.pop()!;
  h = g.scope('out_blocks.0', () => sparseUpsample(g, withSkip(h, skip), inp.up_index)); // [N,mult·C]
  h = res(h, inp.nbr_fine, 'out_blocks.0', mult * C, io0);
  for (let j = 1; j < a.numIoResBlocks; j++) {
    skip = skips.pop()!;
    h = res(withSkip(h, skip), inp.nbr_fine, `out_blocks.${j}`, mult * io0, io0);
  }
  const v = flowOutputHead(g, w, h, io0, a.outChannels);
  g.output(v, 'v', 'float32', io.outputs[0].shape);
  w.assertAllUsed();
  return { graph: g, io };
}
