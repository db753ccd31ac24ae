// Dense nn.Conv3d (weight [out,in,k,k,k], bias [out]) with every Conv attribute written out:
// ORT-web's WebGPU EP rejects a 3-D Conv without explicit dilations/strides/kernel_shape
// (notes-env.md).

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';

export function conv3d(g: GraphBuilder, w: Weights, x: string, prefix: string, cin: number, cout: number, kernel = 3, padding = 1): string {
  return g.scope(prefix, () => {
    const weight = w.tensor(`${prefix}.weight`, [cout, cin, kernel, kernel, kernel]);
    const bias = w.tensor(`${prefix}.bias`, [cout]);
    return g.op('Conv', [x, weight, bias], {
      kernel_shape: [kernel, kernel, kernel],
      strides: [1, 1, 1],
      dilations: [1, 1, 1],
      pads: [padding, padding, padding, padding, padding, padding],
      group: 1,
    });
  });
}

/** ChannelLayerNorm32: LayerNorm over the channel axis of [B,C,X,Y,Z] per voxel (biased var, affine). */
export function channelLayerNorm(g: GraphBuilder, w: Weights, x: string, prefix: string, channels: number, eps = 1e-5): string {
  return g.scope(prefix, () => {
    const mean = g.op('ReduceMean', [x], { axes: [1], keepdims: 1 });
    const d = g.op('Sub', [x, mean]);
    const variance = g.op('ReduceMean', [g.op('Mul', [d, d])], { axes: [1], keepdims: 1 });
    const y = g.op('Div', [d, g.op('Sqrt', [g.op('Add', [variance, g.scalar(eps)])])]);
    const shape = [1, channels, 1, 1, 1];
    const scale = g.op('Reshape', [w.tensor(`${prefix}.weight`, [channels]), g.i64(shape)]);
    const bias = g.op('Reshape', [w.tensor(`${prefix}.bias`, [channels]), g.i64(shape)]);
    return g.op('Add', [g.op('Mul', [y, scale]), bias]);
  });
}
