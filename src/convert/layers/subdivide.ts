// SparseSubdivide on features (networks.md §2.5): each row becomes 8 identical child rows,
// row = 8·parent + k. Where the children are only added to another child-level tensor, the copy
// is never built: the sum broadcasts the parent row over the 8 children.

import type { GraphBuilder } from '../onnx/graph-builder.ts';

/** child [8P,C] + subdivide(parent [P,C]) → [8P,C], without materialising the subdivided parent. */
export function addSubdividedParent(g: GraphBuilder, child: string, parent: string, channels: number): string {
  const c3 = g.op('Reshape', [child, g.i64([-1, 8, channels])]);
  const p3 = g.op('Unsqueeze', [parent, g.i64([1])]);
  return g.op('Reshape', [g.op('Add', [c3, p3]), g.i64([-1, channels])]);
}

/** subdivide(x [P,C]) → [8P,C]. */
export function subdivideFeatures(g: GraphBuilder, x: string, channels: number): string {
  const e = g.op('Expand', [g.op('Unsqueeze', [x, g.i64([1])]), g.i64([1, 8, 1])]);
  return g.op('Reshape', [e, g.i64([-1, channels])]);
}
