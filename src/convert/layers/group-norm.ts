// GroupNorm32 over the rows of ONE sample (SparseGroupNorm32 / nn.GroupNorm on [1,C,n],
// networks.md §2.6): the mean and biased variance of a group are taken over all rows × C/G
// channels, in fp32, eps 1e-5, per-channel affine from `${prefix}.weight/.bias`.
// The graph does not know batch boundaries: feed one sample per run.

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';

export function groupNormRows(g: GraphBuilder, w: Weights, x: string, prefix: string, channels: number, groups = 32, eps = 1e-5): string {
  if (channels % groups !== 0) throw new Error(`${prefix}: ${channels} channels do not split into ${groups} groups`);
  return g.scope(prefix, () => {
    const xg = g.op('Reshape', [x, g.i64([-1, groups, channels / groups])]);
    const mean = g.op('ReduceMean', [xg], { axes: [0, 2], keepdims: 1 });
    const d = g.op('Sub', [xg, mean]);
    const variance = g.op('ReduceMean', [g.op('Mul', [d, d])], { axes: [0, 2], keepdims: 1 });
    const y = g.op('Div', [d, g.op('Sqrt', [g.op('Add', [variance, g.scalar(eps)])])]);
    const flat = g.op('Reshape', [y, g.i64([-1, channels])]);
    return g.op('Add', [g.op('Mul', [flat, w.tensor(`${prefix}.weight`, [channels])]), w.tensor(`${prefix}.bias`, [channels])]);
  });
}
