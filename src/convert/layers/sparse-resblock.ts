// SparseResBlock3d of the SLat flow (networks.md §2.9) and the SparseDownsample/Upsample(2)
// feature maps it uses (§2.4). Index tables are graph inputs built by src/engine/sparse.

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';
import { layerNorm, linear, silu } from './basic.ts';
import { padZeroRow, submConv3d, type SubmConvMode } from './sparse-conv.ts';

/**
 * SparseDownsample(2): x [N,C], children [M,8] int (fine rows, pad N), invDivisor [M,1] →
 * [M,C] = Σ children · 1/(count+1) (the reference's scatter_reduce('mean', include_self=True)
 * counts its zero initial row).
 */
export function sparseDownsample(g: GraphBuilder, x: string, channels: number, children: string, invDivisor: string): string {
  return g.scope('downsample', () => {
    const gathered = g.op('Gather', [padZeroRow(g, x, channels), children], { axis: 0 }); // [M,8,C]
    return g.op('Mul', [g.op('ReduceSum', [gathered, g.i64([1])], { keepdims: 0 }), invDivisor]);
  });
}

/** SparseUpsample(2): coarse [M,C], parentIndex [N] → [N,C] (each fine voxel copies its cell). */
export function sparseUpsample(g: GraphBuilder, x: string, parentIndex: string): string {
  return g.scope('upsample', () => g.op('Gather', [x, parentIndex], { axis: 0 }));
}

export interface SparseResBlockConfig {
  cin: number;
  cout: number;
  /** Channels of the timestep embedding (model_channels). */
  embChannels: number;
  convMode?: SubmConvMode;
}

/**
 * SparseResBlock3d after its resampling: x [R,Cin] (already down/upsampled, both branches use
 * it), siluEmb = SiLU(t_emb) [1,E], nbr [R,27] int → [R,Cout].
 */
export function sparseResBlock(g: GraphBuilder, w: Weights, x: string, siluEmb: string, nbr: string, prefix: string, cfg: SparseResBlockConfig): string {
  const { cin, cout } = cfg;
  return g.scope(prefix, () => {
    const e = linear(g, w, siluEmb, `${prefix}.emb_layers.1`, cfg.embChannels, 2 * cout); // [1,2Cout]
    const [scale, shift] = g.nodeMulti('Split', [e, g.i64([cout, cout])], 2, { axis: -1 }); // scale first
    let h = g.scope('norm1', () => silu(g, layerNorm(g, w, x, cin, 1e-6, `${prefix}.norm1`)));
    h = submConv3d(g, w, h, nbr, `${prefix}.conv1.conv`, cin, cout, cfg.convMode);
    h = g.scope('norm2', () => {
      const n = layerNorm(g, w, h, cout, 1e-6);
      return silu(g, g.op('Add', [g.op('Mul', [n, g.op('Add', [scale, g.scalar(1)])]), shift]));
    });
    h = submConv3d(g, w, h, nbr, `${prefix}.conv2.conv`, cout, cout, cfg.convMode);
    const skip = cin === cout ? x : linear(g, w, x, `${prefix}.skip_connection`, cin, cout);
    return g.op('Add', [h, skip]);
  });
}
