// pixel_shuffle_3d(x, 2) (networks.md §1.9): input channel c'·8 + sx·4 + sy·2 + sz goes to
// output [c', 2h+sx, 2w+sy, 2d+sz].

import type { GraphBuilder } from '../onnx/graph-builder.ts';

/** x [B, 8·C', H, W, D] → [B, C', 2H, 2W, 2D] (spatial sizes static). */
export function pixelShuffle3d(g: GraphBuilder, x: string, outChannels: number, size: [number, number, number]): string {
  const [H, W, D] = size;
  const split = g.op('Reshape', [x, g.i64([0, outChannels, 2, 2, 2, H, W, D])]);
  const t = g.op('Transpose', [split], { perm: [0, 1, 5, 2, 6, 3, 7, 4] });
  return g.op('Reshape', [t, g.i64([0, outChannels, 2 * H, 2 * W, 2 * D])]);
}
