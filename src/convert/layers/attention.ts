// Multi-head attention for the TRELLIS transformers and DINOv2: softmax(q·kᵀ/√D)·v per head, fp32.
//
// Memory: one score tensor is B·H·s·L floats for s query rows (4096² × 16 heads = 1 GiB for the
// stage-1 flow at once), so the query axis is cut into pieces; keys/values are always whole.
//  - static S (SS flow, DINOv2): ceil(S/queryChunk) Slices of fixed size → attention → Concat,
//    unrolled in the graph.
//  - dynamic S (SLat flow: M coarse tokens known only at run time): a fixed number K
//    (`querySlices`) of pieces unrolled in the graph, each step = ceil(S/K) rows of the runtime S
//    (attentionPieces: zero-pad to K·step rows, Gather piece i, Concat, cut to S).
//    This replaced an ONNX Loop over fixed-size blocks: ORT's WebGPU EP has no Loop kernel, so
//    the Loop ran on the CPU EP and its inputs/outputs crossed devices every iteration. The
//    shape arithmetic (Shape/Add/Div/Mul/Sub/Concat on int64) is what ORT keeps on the CPU anyway.
//    Peak score tensor: B·H·ceil(S/K)·L floats. Real SLat flow (B=1, H=16), K=96, S=L=20000:
//    16·209·20000·4 B = 267 MB (≤ 256 MiB). Node cost per piece ('matmul'): Gather, MatMul,
//    Softmax, MatMul = 4, plus a Concat tree of ceil(K/7)+3 nodes and ~12 for the shapes, so
//    ≈ 420 nodes per attention at K = 96. K comes from the bounds (querySlicesFor): the real SLat
//    flow's self-attention keeps 96, its cross-attention over 1374 cond tokens needs 11 (≈ 60
//    nodes), so its 48 attentions are ≈ 11 500 nodes rather than ≈ 20 000.

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';
import { linear } from './basic.ts';

export type AttentionImpl = 'mha' | 'matmul';

export interface AttentionOptions {
  /** Static S: query rows per unrolled block (the score tensor of one block is B·H·queryChunk·L floats). */
  queryChunk: number;
  /** Dynamic S: number of query pieces K (each ceil(S/K) rows; score tensor B·H·ceil(S/K)·L floats). */
  querySlices: number;
  /**
   * Dynamic S, 'matmul' only: cut along the heads into pieces of this many heads instead of
   * cutting the queries (score tensor B·headsPerPiece·S·L floats; every shape static, see headPieces).
   */
  headsPerPiece?: number;
  /**
   * 'mha': com.microsoft.MultiHeadAttention (fused; exact on wasm, WRONG on ORT 1.30 webgpu —
   *        see DEFAULT_ATTENTION).
   * 'matmul': plain MatMul/Softmax/MatMul (standard ops only).
   */
  impl: AttentionImpl;
}

// 'matmul' by default: com.microsoft.MultiHeadAttention on ORT 1.30's webgpu EP returned wrong
// values (max diff 0.3–1.1 vs wasm at S=L=64, H=4, D=16, inputs in [-2,2]; headless Chromium,
// swiftshader), while MatMul/Softmax matched wasm to 2e-6 on the golden DINOv2.
// Query blocks of 256: the golden SS flow (B=2, H=4, 4096 tokens) ran on that WebGPU with 256 but
// the page crashed with 1024 (134 MB score tensor). At the real width (B=2, H=16, 4096 tokens)
// 256 gives 134 MB per score tensor.
// 96 query pieces for dynamic S: the real SLat flow (H=16) at S = L = 20000 tokens gets
// 16·ceil(20000/96)·20000·4 B = 267 MB ≤ 256 MiB per score tensor (see the header for node counts).
export const DEFAULT_ATTENTION: AttentionOptions = { queryChunk: 256, querySlices: 96, impl: 'matmul' };

export function checkAttentionOptions(o: AttentionOptions): void {
  if (!Number.isInteger(o.queryChunk) || o.queryChunk < 1) {
    throw new Error(`attnQueryChunk must be a positive integer, got ${o.queryChunk}`);
  }
  if (!Number.isInteger(o.querySlices) || o.querySlices < 1) {
    throw new Error(`attnQuerySlices must be a positive integer, got ${o.querySlices}`);
  }
  if (o.headsPerPiece !== undefined && (!Number.isInteger(o.headsPerPiece) || o.headsPerPiece < 1)) {
    throw new Error(`attnHeadsPerPiece must be a positive integer, got ${o.headsPerPiece}`);
  }
  if (o.impl !== 'mha' && o.impl !== 'matmul') throw new Error(`attention impl must be 'mha' or 'matmul', got ${String(o.impl)}`);
}

/** One score tensor of the dynamic-S attention stays under this (see DEFAULT_ATTENTION). */
export const SCORE_TENSOR_BUDGET = 256 * 1024 ** 2;

/**
 * Query pieces for a dynamic-S attention of at most `maxQueries` queries over at most `maxKeys`
 * keys (e.g. the coarse grid of a sparse model; the cond tokens for cross-attention):
 * DEFAULT_ATTENTION.querySlices, or fewer when fewer pieces keep one score tensor within
 * SCORE_TENSOR_BUDGET at the bound. Every piece costs ~4 nodes per attention: the released
 * SLat flow's cross-attention needs 11, not 96, and small models need one.
 */
export function querySlicesFor(heads: number, maxQueries: number, maxKeys = maxQueries): number {
  const needed = Math.ceil((heads * maxQueries * maxKeys * 4) / SCORE_TENSOR_BUDGET);
  return Math.max(1, Math.min(DEFAULT_ATTENTION.querySlices, needed));
}

/**
 * Heads per piece for a dynamic-S attention cut along the heads: the largest divisor of `heads`
 * whose score tensor [1, h, maxQueries, maxKeys] stays within SCORE_TENSOR_BUDGET (at least 1:
 * beyond that bound a piece grows as queries × keys, and the engine checks the runtime size
 * against the device's limit before it runs).
 */
export function headsPerPieceFor(heads: number, maxQueries: number, maxKeys = maxQueries): number {
  let best = 1;
  for (let h = 1; h <= heads; h++) if (heads % h === 0 && h * maxQueries * maxKeys * 4 <= SCORE_TENSOR_BUDGET) best = h;
  return best;
}

/** Bytes of the largest score tensor for dynamic S (batch b, `heads`, S query rows, L keys). */
export function sliceScoreBytes(b: number, heads: number, s: number, l: number, querySlices: number): number {
  return b * heads * Math.ceil(s / querySlices) * l * 4;
}

/** Keys/values in the layout the core reads, built once per attention (not per query block). */
interface PreparedKV { k: string; v: string }

function prepareKV(g: GraphBuilder, k: string, v: string, heads: number, headDim: number, impl: AttentionImpl): PreparedKV {
  if (impl === 'mha') return { k, v };
  const split = g.i64([0, 0, heads, headDim]);
  return {
    k: g.op('Transpose', [g.op('Reshape', [k, split])], { perm: [0, 2, 3, 1] }), // [B,H,D,L]
    v: g.op('Transpose', [g.op('Reshape', [v, split])], { perm: [0, 2, 1, 3] }), // [B,H,L,D]
  };
}

/**
 * Queries in the layout the core reads, once per attention: 'matmul' → [B,H,S,D] scaled by 1/√D
 * (s·D multiplies instead of s·L on the scores; exact when D is a power of 4, e.g. 64);
 * 'mha' → unchanged [B,S,H·D]. `axis` is the query axis of that layout.
 */
function prepareQ(g: GraphBuilder, q: string, heads: number, headDim: number, impl: AttentionImpl): { q: string; axis: number } {
  if (impl === 'mha') return { q, axis: 1 };
  const qh = g.op('Transpose', [g.op('Reshape', [q, g.i64([0, 0, heads, headDim])])], { perm: [0, 2, 1, 3] });
  return { q: g.op('Mul', [qh, g.scalar(1 / Math.sqrt(headDim))]), axis: 2 };
}

/** Attention over one query piece in the prepared layout → output in the same layout. */
function attentionCore(g: GraphBuilder, q: string, kv: PreparedKV, heads: number, headDim: number, impl: AttentionImpl): string {
  if (impl === 'mha') {
    return g.op('MultiHeadAttention', [q, kv.k, kv.v], { num_heads: heads, scale: { float: 1 / Math.sqrt(headDim) } }, { domain: 'com.microsoft' });
  }
  const p = g.op('Softmax', [g.op('MatMul', [q, kv.k])], { axis: -1 }); // [B,H,s,L]
  return g.op('MatMul', [p, kv.v]); // [B,H,s,D]
}

/** Prepared layout → [B,S,H·D]. */
function finishO(g: GraphBuilder, o: string, heads: number, headDim: number, impl: AttentionImpl): string {
  if (impl === 'mha') return o;
  return g.op('Reshape', [g.op('Transpose', [o], { perm: [0, 2, 1, 3] }), g.i64([0, 0, heads * headDim])]);
}

// ORT's WebGPU kernels bind every input and output as a storage buffer and fail when a shader
// needs more than the device's maxStorageBuffersPerShaderStage (8 by default in WebGPU, 10 on
// SwiftShader: "Too many storage buffers in shader" for a 96-way Split). Concats of many pieces
// are therefore built as a tree of at most 7 inputs per node (+1 output = 8 buffers).
const MAX_CONCAT_INPUTS = 7;

function concatTree(g: GraphBuilder, parts: string[], axis: number): string {
  let level = parts;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += MAX_CONCAT_INPUTS) {
      const group = level.slice(i, i + MAX_CONCAT_INPUTS);
      next.push(group.length === 1 ? group[0] : g.op('Concat', group, { axis }));
    }
    level = next;
  }
  return level[0];
}

/**
 * Dynamic S in K pieces of step = ceil(S/K) rows: the prepared q is zero-padded along its query
 * axis to K·step rows and reshaped to [.., K, step, ..]; piece i is a Gather of index i on that
 * axis, so no piece is ever empty (WebGPU's Softmax rejects zero-size dispatches: "Invalid
 * dispatch group size (0, 1, 1)") and there is no Split with K outputs (storage-buffer limit).
 * Padded query rows are zeros (finite, uniform attention) and are cut off after the Concat.
 * At most K−1 rows are padded. The int64 shape arithmetic is what ORT keeps on the CPU.
 */
function attentionPieces(g: GraphBuilder, q: string, axis: number, lastDim: number, pieces: number, core: (x: string) => string): string {
  const rank = axis === 2 ? 4 : 3; // 'matmul' [B,H,S,D], 'mha' [B,S,C]; lastDim is D or C
  const s = g.op('Shape', [q], { start: axis, end: axis + 1 }); // [1]
  const step = g.op('Div', [g.op('Add', [s, g.i64([pieces - 1])]), g.i64([pieces])]);
  const pad = g.op('Sub', [g.op('Mul', [step, g.i64([pieces])]), s]);
  const zeros = (n: number) => (n > 0 ? [g.i64(new Array(n).fill(0))] : []);
  const pads = g.op('Concat', [...zeros(rank + axis), pad, ...zeros(rank - axis - 1)], { axis: 0 });
  // Reshape's 0 copies an input dim only at the same position, so the axes after the split are literal.
  const split = [...new Array(axis).fill(0), pieces, -1, lastDim];
  const qr = g.op('Reshape', [g.op('Pad', [q, pads]), g.i64(split)]); // query axis → [K, step]
  const outs: string[] = [];
  for (let i = 0; i < pieces; i++) {
    outs.push(g.scope(`piece${i}`, () => core(g.op('Gather', [qr, g.constant('int64', [], [i], 'piece')], { axis }))));
  }
  const o = concatTree(g, outs, axis); // K·step rows
  return g.op('Slice', [o, g.i64([0]), s, g.i64([axis])]);
}

/**
 * Dynamic S cut along the heads instead: pieces of `perPiece` heads, each [B,h,S,D] against its
 * own keys [B,h,D,L] and values [B,h,L,D]. Every slice is static (constant bounds on the head
 * axis), so ORT knows every shape symbolically; the query-piece form computes its shapes at run
 * time, and ORT's session creation grew quadratically with the number of such pieces (the
 * released SLat flow with 96 query pieces took 14 minutes to create). The score tensor of one
 * piece is B·perPiece·S·L floats.
 */
function headPieces(g: GraphBuilder, q: string, kv: PreparedKV, heads: number, perPiece: number, core: (q: string, kv: PreparedKV) => string): string {
  const outs: string[] = [];
  for (let h = 0; h < heads; h += perPiece) {
    const e = Math.min(heads, h + perPiece);
    const cut = (x: string) => g.op('Slice', [x, g.i64([h]), g.i64([e]), g.i64([1])]);
    outs.push(g.scope(`heads${h}`, () => core(cut(q), { k: cut(kv.k), v: cut(kv.v) })));
  }
  return concatTree(g, outs, 1);
}

/**
 * Scaled dot-product attention, q [B,S,H·D], k/v [B,L,H·D] → [B,S,H·D].
 * `seqLen` is S when it is fixed at conversion time (fixed-size blocks), undefined when it is only
 * known at run time (K pieces sized from the runtime S).
 */
export function attention(
  g: GraphBuilder, q: string, k: string, v: string,
  heads: number, headDim: number, opts: AttentionOptions, seqLen?: number,
): string {
  checkAttentionOptions(opts);
  const { impl } = opts;
  const kv = prepareKV(g, k, v, heads, headDim, impl);
  const pq = prepareQ(g, q, heads, headDim, impl);
  const core = (x: string) => attentionCore(g, x, kv, heads, headDim, impl);
  let o: string;
  if (seqLen !== undefined) {
    const chunk = opts.queryChunk;
    if (seqLen <= chunk) {
      o = core(pq.q);
    } else {
      const parts: string[] = [];
      for (let s = 0; s < seqLen; s += chunk) {
        const e = Math.min(seqLen, s + chunk);
        const qs = g.op('Slice', [pq.q, g.i64([s]), g.i64([e]), g.i64([pq.axis])]);
        parts.push(g.scope(`q${s}`, () => core(qs)));
      }
      o = concatTree(g, parts, pq.axis);
    }
  } else if (opts.querySlices === 1 && (opts.headsPerPiece ?? heads) >= heads) {
    o = core(pq.q);
  } else if (impl === 'matmul' && opts.headsPerPiece !== undefined) {
    o = headPieces(g, pq.q, kv, heads, opts.headsPerPiece, (q, k) => attentionCore(g, q, k, heads, headDim, impl));
  } else {
    o = attentionPieces(g, pq.q, pq.axis, impl === 'mha' ? heads * headDim : headDim, opts.querySlices, core);
  }
  return finishO(g, o, heads, headDim, impl);
}

/**
 * MultiHeadRMSNorm (TRELLIS): per head, y = x / max(‖x‖₂, 1e-12) · gamma[h] · √D, in fp32.
 * x [B,S,H·D]; gamma `${key}` [H,D].
 */
export function multiHeadRmsNorm(g: GraphBuilder, w: Weights, x: string, key: string, heads: number, headDim: number): string {
  const gamma = w.raw(key, [heads, headDim]);
  const scaled = new Float32Array(gamma.length);
  // torch multiplies by gamma then by √D; folding both into one constant changes the result by
  // at most one rounding, far below the fp32 tolerance.
  const sqrtD = Math.sqrt(headDim);
  for (let i = 0; i < gamma.length; i++) scaled[i] = gamma[i] * sqrtD;
  const gp = w.param(`${key}.x_sqrtD`, [heads, headDim], scaled);
  const xh = g.op('Reshape', [x, g.i64([0, 0, heads, headDim])]);
  const norm = g.op('Max', [g.op('ReduceL2', [xh], { axes: [-1], keepdims: 1 }), g.scalar(1e-12)]);
  const y = g.op('Mul', [g.op('Div', [xh, norm]), gp]);
  return g.op('Reshape', [y, g.i64([0, 0, heads * headDim])]);
}

export interface SelfAttentionConfig {
  channels: number;
  heads: number;
  qkRmsNorm: boolean;
  attn: AttentionOptions;
  /** Static token count, or undefined when it is only known at run time. */
  seqLen?: number;
  /** State-dict names of the fused qkv and output projections inside `prefix`. */
  qkvName?: string;
  outName?: string;
}

/** Self-attention `${prefix}.to_qkv` → (qk RMS norm) → attention → `${prefix}.to_out`. x [B,S,C]. */
export function selfAttention(g: GraphBuilder, w: Weights, x: string, prefix: string, cfg: SelfAttentionConfig): string {
  const { channels: c, heads } = cfg;
  if (c % heads !== 0) throw new Error(`${prefix}: channels ${c} not divisible by num_heads ${heads}`);
  const d = c / heads;
  const qkvName = cfg.qkvName ?? 'to_qkv';
  const outName = cfg.outName ?? 'to_out';
  return g.scope(prefix, () => {
    const qkv = linear(g, w, x, `${prefix}.${qkvName}`, c, 3 * c);
    let [q, k, v] = g.nodeMulti('Split', [qkv, g.i64([c, c, c])], 3, { axis: -1 });
    if (cfg.qkRmsNorm) {
      q = g.scope('q_rms_norm', () => multiHeadRmsNorm(g, w, q, `${prefix}.q_rms_norm.gamma`, heads, d));
      k = g.scope('k_rms_norm', () => multiHeadRmsNorm(g, w, k, `${prefix}.k_rms_norm.gamma`, heads, d));
    }
    const o = g.scope('attn', () => attention(g, q, k, v, heads, d, cfg.attn, cfg.seqLen));
    return linear(g, w, o, `${prefix}.${outName}`, c, c);
  });
}

export interface CrossAttentionConfig {
  channels: number;
  ctxChannels: number;
  heads: number;
  attn: AttentionOptions;
  seqLen?: number;
}

/** Cross-attention: q = `${prefix}.to_q`(x), (k, v) = `${prefix}.to_kv`(ctx), out `${prefix}.to_out`. */
export function crossAttention(g: GraphBuilder, w: Weights, x: string, ctx: string, prefix: string, cfg: CrossAttentionConfig): string {
  const { channels: c, heads } = cfg;
  if (c % heads !== 0) throw new Error(`${prefix}: channels ${c} not divisible by num_heads ${heads}`);
  const d = c / heads;
  return g.scope(prefix, () => {
    const q = linear(g, w, x, `${prefix}.to_q`, c, c);
    const kv = linear(g, w, ctx, `${prefix}.to_kv`, cfg.ctxChannels, 2 * c);
    const [k, v] = g.nodeMulti('Split', [kv, g.i64([c, c])], 2, { axis: -1 });
    const o = g.scope('attn', () => attention(g, q, k, v, heads, d, cfg.attn, cfg.seqLen));
    return linear(g, w, o, `${prefix}.to_out`, c, c);
  });
}
