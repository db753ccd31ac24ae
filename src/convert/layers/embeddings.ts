// Timestep and absolute position embeddings of the TRELLIS flows. The frequency tables are
// computed here the way torch computes them in float32 (each step rounded to fp32), so the
// in-graph sin/cos see the same arguments as the reference.

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';
import { linear, silu } from './basic.ts';

const f32 = Math.fround;

// 2π split for Cody–Waite reduction: TWO_PI_HI has 8 significant bits, so n·TWO_PI_HI is exact
// in fp32 for |n| < 2^16, and x − n·TWO_PI_HI is exact (Sterbenz) near the multiples of 2π.
const TWO_PI_HI = 6.28125;
const TWO_PI_LO = f32(2 * Math.PI - TWO_PI_HI);

/** x − 2π·n with n = floor(x/2π + ½) in fp32 ops: in [-π, π], |error| ≈ 3e-7 for |x| ≲ 1e5. */
export function reduceAngle(g: GraphBuilder, x: string): string {
  // Floor(y + ½), not Round(y): ORT 1.30's WebGPU EP has no Round kernel, so Round ran on the CPU
  // EP (a float node between GPU nodes). Both give an integer within ½ of y; they differ only
  // at exact ties, where either result stays in [-π, π].
  const n = g.op('Floor', [g.op('Add', [g.op('Mul', [x, g.scalar(1 / (2 * Math.PI))]), g.scalar(0.5)])]);
  const hi = g.op('Sub', [x, g.op('Mul', [n, g.scalar(TWO_PI_HI)])]);
  return g.op('Sub', [hi, g.op('Mul', [n, g.scalar(TWO_PI_LO)])]);
}

/** Σ c_k·u^k by Horner. */
function horner(g: GraphBuilder, u: string, coeffs: number[]): string {
  let acc = g.scalar(coeffs[coeffs.length - 1]);
  for (let k = coeffs.length - 2; k >= 0; k--) acc = g.op('Add', [g.op('Mul', [acc, u]), g.scalar(coeffs[k])]);
  return acc;
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
// Taylor series on [-π, π] through x^19 / x^20: truncation < 3e-8, fp32 evaluation ≈ 3e-7.
const SIN_COEFFS = Array.from({ length: 10 }, (_, k) => (k % 2 ? -1 : 1) / factorial(2 * k + 1));
const COS_COEFFS = Array.from({ length: 11 }, (_, k) => (k % 2 ? -1 : 1) / factorial(2 * k));

/**
 * sin and cos of fp32 angles with ≈ 4e-7 absolute error on every execution provider. The
 * built-in Sin/Cos are not enough on WebGPU: WGSL only promises 2^-11 absolute error in [-π, π]
 * (measured 2e-4 at t·f ≈ 1000 in Chromium's WebGPU, vs 1e-7 on wasm), which alone would break
 * the 1e-4 parity of the flows. So: Cody–Waite reduction to [-π, π], then polynomials.
 */
export function sinCos(g: GraphBuilder, x: string): { sin: string; cos: string } {
  return g.scope('sincos', () => {
    const r = reduceAngle(g, x);
    const r2 = g.op('Mul', [r, r]);
    return { sin: g.op('Mul', [r, horner(g, r2, SIN_COEFFS)]), cos: horner(g, r2, COS_COEFFS) };
  });
}

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
    const sc = sinCos(g, g.op('Mul', [g.op('Unsqueeze', [t, g.i64([1])]), freqs])); // [B,half]
    const emb = g.op('Concat', [sc.cos, sc.sin], { axis: -1 });
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
    const sc = sinCos(g, g.op('Mul', [g.op('Unsqueeze', [coords, g.i64([-1])]), freqs])); // [N,3,F]
    const both = g.op('Concat', [sc.sin, sc.cos], { axis: -1 }); // [N,3,2F]
    const flat = g.op('Reshape', [both, g.i64([-1, 6 * freqDim])]);
    const pad = channels - 6 * freqDim;
    return pad === 0 ? flat : g.op('Pad', [flat, g.i64([0, 0, 0, pad])]);
  });
}
