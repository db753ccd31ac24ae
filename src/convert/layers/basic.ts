// Basic layers shared by every network graph. Each takes the builder, the weights and value
// names, and returns the output value name. Shapes are noted as [.., C] (any leading dims).

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';

/** nn.Linear: y = x·Wᵀ + b with W [out, in] from `${prefix}.weight`. */
export function linear(g: GraphBuilder, w: Weights, x: string, prefix: string, inDim: number, outDim: number, bias = true): string {
  return g.scope(prefix, () => {
    const wt = w.linearWeightT(`${prefix}.weight`, inDim, outDim);
    const y = g.op('MatMul', [x, wt]);
    return bias ? g.op('Add', [y, w.tensor(`${prefix}.bias`, [outDim])]) : y;
  });
}

/** LayerNorm over the last axis; affine params from `${affinePrefix}.weight/.bias` if given. */
export function layerNorm(g: GraphBuilder, w: Weights, x: string, channels: number, eps: number, affinePrefix?: string): string {
  const scale = affinePrefix ? w.tensor(`${affinePrefix}.weight`, [channels]) : g.constant('float32', [channels], new Float32Array(channels).fill(1), 'ones');
  const bias = affinePrefix ? w.tensor(`${affinePrefix}.bias`, [channels]) : g.constant('float32', [channels], new Float32Array(channels), 'zeros');
  return g.op('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: { float: eps } });
}

export function silu(g: GraphBuilder, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x])]);
}

/** GELU, tanh approximation (TRELLIS FeedForwardNet). */
export function geluTanh(g: GraphBuilder, x: string): string {
  const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [x3, g.scalar(0.044715)])]), g.scalar(Math.sqrt(2 / Math.PI))]);
  const t = g.op('Add', [g.op('Tanh', [inner]), g.scalar(1)]);
  return g.op('Mul', [g.op('Mul', [x, t]), g.scalar(0.5)]);
}

/** GELU, exact erf form (DINOv2). */
export function geluErf(g: GraphBuilder, x: string): string {
  const e = g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2)])]);
  return g.op('Mul', [g.op('Mul', [x, g.op('Add', [e, g.scalar(1)])]), g.scalar(0.5)]);
}

export function reshape(g: GraphBuilder, x: string, shape: number[]): string {
  return g.op('Reshape', [x, g.i64(shape)]);
}

export function transpose(g: GraphBuilder, x: string, perm: number[]): string {
  return g.op('Transpose', [x], { perm });
}

export function concat(g: GraphBuilder, xs: string[], axis: number): string {
  return g.op('Concat', xs, { axis });
}

/** Slice along one axis [start, end). */
export function sliceAxis(g: GraphBuilder, x: string, axis: number, start: number, end: number): string {
  return g.op('Slice', [x, g.i64([start]), g.i64([end]), g.i64([axis])]);
}
