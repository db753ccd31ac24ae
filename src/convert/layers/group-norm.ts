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

/** Per-group Σx and Σx² over rows × C/G channels of x [R,C] (the stats pass of a chunked GroupNorm). */
export function groupSums(g: GraphBuilder, x: string, prefix: string, channels: number, groups = 32): [string, string] {
  return g.scope(`${prefix}/stats`, () => {
    const xg = g.op('Reshape', [x, g.i64([-1, groups, channels / groups])]);
    const s = g.op('ReduceSum', [xg, g.i64([0, 2])], { keepdims: 0 });
    const ss = g.op('ReduceSum', [g.op('Mul', [xg, xg]), g.i64([0, 2])], { keepdims: 0 });
    return [s, ss];
  });
}

/** GroupNorm with statistics given as inputs mean [G] and rstd [G] = 1/sqrt(var + eps). */
export function groupNormWithStats(g: GraphBuilder, w: Weights, x: string, mean: string, rstd: string, prefix: string, channels: number, groups = 32): string {
  return g.scope(prefix, () => {
    const xg = g.op('Reshape', [x, g.i64([-1, groups, channels / groups])]);
    const m = g.op('Unsqueeze', [mean, g.i64([0, 2])]);
    const r = g.op('Unsqueeze', [rstd, g.i64([0, 2])]);
    const y = g.op('Reshape', [g.op('Mul', [g.op('Sub', [xg, m]), r]), g.i64([-1, channels])]);
    return g.op('Add', [g.op('Mul', [y, w.tensor(`${prefix}.weight`, [channels])]), w.tensor(`${prefix}.bias`, [channels])]);
  });
}
