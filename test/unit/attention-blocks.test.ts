import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { Weights, type StateDictSource } from '../../src/convert/weights.ts';
import { attention, multiHeadRmsNorm, querySlicesFor, sliceScoreBytes, DEFAULT_ATTENTION, SCORE_TENSOR_BUDGET, type AttentionImpl } from '../../src/convert/layers/attention.ts';
import { runGraph } from '../helpers/ort.ts';

const B = 2, S = 37, L = 23, H = 2, D = 4, C = H * D;

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 4 - 2;
  });
}

/** softmax(q·kᵀ/√D)·v per batch item and head, in float64. */
function referenceAttention(q: Float32Array, k: Float32Array, v: Float32Array): Float64Array {
  const out = new Float64Array(B * S * C);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < S; i++) {
    const sc = new Float64Array(L);
    let mx = -Infinity;
    for (let j = 0; j < L; j++) {
      let d = 0;
      for (let e = 0; e < D; e++) d += q[(b * S + i) * C + h * D + e] * k[(b * L + j) * C + h * D + e];
      sc[j] = d / Math.sqrt(D);
      mx = Math.max(mx, sc[j]);
    }
    let z = 0;
    for (let j = 0; j < L; j++) z += (sc[j] = Math.exp(sc[j] - mx));
    for (let e = 0; e < D; e++) {
      let acc = 0;
      for (let j = 0; j < L; j++) acc += (sc[j] / z) * v[(b * L + j) * C + h * D + e];
      out[(b * S + i) * C + h * D + e] = acc;
    }
  }
  return out;
}

const q = rand(B * S * C, 1), k = rand(B * L * C, 2), v = rand(B * L * C, 3);
const feeds = {
  q: { dtype: 'float32' as const, dims: [B, S, C], data: q },
  k: { dtype: 'float32' as const, dims: [B, L, C], data: k },
  v: { dtype: 'float32' as const, dims: [B, L, C], data: v },
};

async function run(impl: AttentionImpl, blocks: number, staticS: boolean): Promise<Float32Array> {
  const g = new GraphBuilder('attn');
  const qi = g.input('q', 'float32', ['B', staticS ? S : 'S', C]);
  const ki = g.input('k', 'float32', ['B', 'L', C]);
  const vi = g.input('v', 'float32', ['B', 'L', C]);
  // Static S: `blocks` is the rows per block; dynamic S: the number of pieces.
  const opts = staticS ? { impl, queryChunk: blocks, querySlices: 1 } : { impl, queryChunk: 1, querySlices: blocks };
  g.output(attention(g, qi, ki, vi, H, D, opts, staticS ? S : undefined), 'o', 'float32', ['B', 'S', C]);
  const out = await runGraph(g.toBytes(), feeds);
  expect(out.o.dims).toEqual([B, S, C]);
  return out.o.data as Float32Array;
}

describe('attention in query blocks', () => {
  const ref = referenceAttention(q, k, v);
  for (const impl of ['mha', 'matmul'] as const) {
    // Dynamic S = 37: 5 pieces of 8 (3 zero rows padded), 4 of 10 (3 padded), 37 of 1, 1 whole,
    // and 50 pieces of 1 (13 padded pieces, more pieces than rows).
    for (const [blocks, staticS] of [[64, true], [8, true], [5, false], [4, false], [37, false], [1, false], [50, false]] as const) {
      it(`${impl}: ${staticS ? `static S, unrolled blocks of ${blocks}` : `dynamic S, ${blocks} pieces`} equals the reference`, async () => {
        const o = await run(impl, blocks, staticS);
        let err = 0;
        for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(o[i] - ref[i]));
        expect(err).toBeLessThan(2e-6);
      });
    }
  }

  it('rejects a bad chunk size', () => {
    const g = new GraphBuilder('bad');
    expect(() => attention(g, 'q', 'k', 'v', H, D, { impl: 'mha', queryChunk: 0, querySlices: 4 }, S)).toThrow(/attnQueryChunk/);
    expect(() => attention(g, 'q', 'k', 'v', H, D, { impl: 'mha', queryChunk: 8, querySlices: 1.5 })).toThrow(/attnQuerySlices/);
  });
});

describe('multi-head RMS norm', () => {
  it('is x / max(‖x‖, 1e-12) · gamma · √D per head (zero vectors stay zero)', async () => {
    const gamma = rand(H * D, 7);
    const src: StateDictSource = { label: 'mem', keys: () => ['n.gamma'], shape: () => [H, D], float32: () => gamma };
    const g = new GraphBuilder('rms');
    const w = new Weights(src, g);
    const x = g.input('x', 'float32', [1, 3, C]);
    g.output(multiHeadRmsNorm(g, w, x, 'n.gamma', H, D), 'y', 'float32', [1, 3, C]);
    w.assertAllUsed();
    const xv = rand(3 * C, 9);
    xv.fill(0, C, C + D); // token 1, head 0: all zero
    const out = (await runGraph(g.toBytes(), { x: { dtype: 'float32', dims: [1, 3, C], data: xv } })).y.data as Float32Array;
    for (let t = 0; t < 3; t++) for (let h = 0; h < H; h++) {
      let n = 0;
      for (let e = 0; e < D; e++) n += xv[t * C + h * D + e] ** 2;
      const denom = Math.max(Math.sqrt(n), 1e-12);
      for (let e = 0; e < D; e++) {
        const i = t * C + h * D + e;
        expect(out[i]).toBeCloseTo((xv[i] / denom) * gamma[h * D + e] * Math.sqrt(D), 5);
      }
    }
    expect(Array.from(out.subarray(C, C + D)).every((y) => y === 0)).toBe(true);
  });
});

describe('query pieces sized from the token bound', () => {
  it('keeps the default for the released SLat flow and drops to what the budget needs for small grids', () => {
    // Released: 16 heads, coarse grid 32³ — more than the budget allows even at 96; stays 96.
    expect(querySlicesFor(16, 32 ** 3)).toBe(DEFAULT_ATTENTION.querySlices);
    // 4 heads over a 16³ coarse grid: the whole score tensor is exactly the budget → one piece.
    expect(querySlicesFor(4, 16 ** 3)).toBe(1);
    // Released cross-attention: 32³ queries over 1374 cond tokens, 16 heads → 2.9 GB → 11 pieces.
    expect(querySlicesFor(16, 32 ** 3, 1374)).toBe(11);
    for (const [heads, tokens] of [[4, 32 ** 3], [8, 6000], [2, 20000], [16, 1374]]) {
      const k = querySlicesFor(heads, tokens);
      expect(k).toBeGreaterThanOrEqual(1);
      expect(k).toBeLessThanOrEqual(DEFAULT_ATTENTION.querySlices);
      // Below the cap, K is the fewest pieces whose score tensor fits the budget.
      if (k < DEFAULT_ATTENTION.querySlices) {
        expect(sliceScoreBytes(1, heads, tokens, tokens, k)).toBeLessThanOrEqual(SCORE_TENSOR_BUDGET * 1.001);
        if (k > 1) expect(heads * tokens * tokens * 4 / (k - 1)).toBeGreaterThan(SCORE_TENSOR_BUDGET);
      }
    }
  });
});
