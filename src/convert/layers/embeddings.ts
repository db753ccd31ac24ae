// Timestep and absolute position embeddings of the TRELLIS flows. The frequency tables are
// computed here the way torch computes them in float32 (each step rounded to fp32), so the
// in-graph sin/cos see the same arguments as the reference.

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';
import { linear, silu } from './basic.ts';

const f32 = Math.fround;

/** TimestepEmbedder frequencies: exp(-ln(max_period)·j/half), j < half, in fp32 steps. */
export function timestepFrequencies(half: number, maxPeriod = 10000): Float32Array {
  const negLog = f32(-Math.log(maxPeriod));
  const out = new Float32Array(half);
  for (let j = 0; j < half; j++) out[j] = f32(Math.exp(f32(f32(negLog * j) / half)));
  return out;
}

/**
 * TimestepEmbedder: t [B] (already 1000·t) → concat(cos(t·f), sin(t·f)) [B,256] →
 * `${prefix}.mlp.0` → SiLU → `${prefix}.mlp.2` → [B,C].
 */
export function timestepEmbedder(g: GraphBuilder, w: Weights, t: string, channels: number, prefix = 't_embedder', freqSize = 256): string {
  if (freqSize % 2 !== 0) throw new Error(`timestep frequency size must be even, got ${freqSize}`);
  return g.scope(prefix, () => {
    const freqs = g.constant('float32', [freqSize / 2], timestepFrequencies(freqSize / 2), 'freqs');
    const args = g.op('Mul', [g.op('Unsqueeze', [t, g.i64([1])]), freqs]); // [B,half]
    const emb = g.op('Concat', [g.op('Cos', [args]), g.op('Sin', [args])], { axis: -1 });
    const h = silu(g, linear(g, w, emb, `${prefix}.mlp.0`, freqSize, channels));
    return linear(g, w, h, `${prefix}.mlp.2`, channels, channels);
  });
}

/** AbsolutePositionEmbedder frequencies: 1/10000^(j/F), j < F, in fp32 steps. */
export function apeFrequencies(freqDim: number): Float32Array {
  const out = new Float32Array(freqDim);
  for (let j = 0; j < freqDim; j++) out[j] = f32(1 / f32(Math.pow(10000, f32(j / freqDim))));
  return out;
}

/**
 * AbsolutePositionEmbedder(C, 3) in-graph: coords [N,3] float32 (x,y,z) → [N,C] with per axis
 * [sin(a·f) (F), cos(a·f) (F)], F = C//3//2, zero-padded on the right to C.
 */
export function absolutePositionEmbedding(g: GraphBuilder, coords: string, channels: number): string {
  const freqDim = Math.floor(Math.floor(channels / 3) / 2);
  if (freqDim < 1) throw new Error(`absolute position embedding needs at least 6 channels, got ${channels}`);
  return g.scope('pos_embedder', () => {
    const freqs = g.constant('float32', [freqDim], apeFrequencies(freqDim), 'freqs');
    const args = g.op('Mul', [g.op('Unsqueeze', [coords, g.i64([-1])]), freqs]); // [N,3,F]
    const sc = g.op('Concat', [g.op('Sin', [args]), g.op('Cos', [args])], { axis: -1 }); // [N,3,2F]
    const flat = g.op('Reshape', [sc, g.i64([-1, 6 * freqDim])]);
    const pad = channels - 6 * freqDim;
    return pad === 0 ? flat : g.op('Pad', [flat, g.i64([0, 0, 0, pad])]);
  });
}
