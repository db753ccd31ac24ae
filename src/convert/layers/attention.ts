// Multi-head attention for the TRELLIS transformers and DINOv2: softmax(q·kᵀ/√D)·v per head, fp32.
//
// Memory: one score tensor is B·H·S·L floats (4096² × 16 heads = 1 GiB for the stage-1 flow), so
// the query axis is processed in blocks of `queryChunk` rows; keys/values are always whole.
//  - static S (SS flow, DINOv2): ceil(S/chunk) Slice → attention → Concat, unrolled in the graph;
//  - dynamic S (SLat flow, M coarse tokens known only at run time): an ONNX Loop over query
//    blocks. The queries are zero-padded to a multiple of the chunk so every iteration emits the
//    same shape (Loop stacks scan outputs), and the padded rows are cut off afterwards. The
//    number of iterations is ceil(S/chunk), so the peak score tensor stays B·H·chunk·L for any S.
//    (ORT runs the Loop node itself on the CPU side; the body's ops still go to the EP.)

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import { GraphBuilder as Builder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';
import { linear } from './basic.ts';

export type AttentionImpl = 'mha' | 'matmul';

export interface AttentionOptions {
  /** Query rows per block (the score tensor of one block is B·H·queryChunk·L floats). */
  queryChunk: number;
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
export const DEFAULT_ATTENTION: AttentionOptions = { queryChunk: 256, impl: 'matmul' };

export function checkAttentionOptions(o: AttentionOptions): void {
  if (!Number.isInteger(o.queryChunk) || o.queryChunk < 1) {
    throw new Error(`attnQueryChunk must be a positive integer, got ${o.queryChunk}`);
  }
  if (o.impl !== 'mha' && o.impl !== 'matmul') throw new Error(`attention impl must be 'mha' or 'matmul', got ${String(o.impl)}`);
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

/** Attention over one query block: q [B,s,H·D] with prepared k/v → [B,s,H·D]. */
function attentionCore(g: GraphBuilder, q: string, kv: PreparedKV, heads: number, headDim: number, impl: AttentionImpl): string {
  const scale = 1 / Math.sqrt(headDim);
  if (impl === 'mha') {
    return g.op('MultiHeadAttention', [q, kv.k, kv.v], { num_heads: heads, scale: { float: scale } }, { domain: 'com.microsoft' });
  }
  // Scaling q (s·D values) instead of the scores (s·L); exact when D is a power of 4 (D = 64).
  const qh = g.op('Transpose', [g.op('Reshape', [q, g.i64([0, 0, heads, headDim])])], { perm: [0, 2, 1, 3] }); // [B,H,s,D]
  const scores = g.op('MatMul', [g.op('Mul', [qh, g.scalar(scale)]), kv.k]); // [B,H,s,L]
  const p = g.op('Softmax', [scores], { axis: -1 });
  const o = g.op('Transpose', [g.op('MatMul', [p, kv.v])], { perm: [0, 2, 1, 3] }); // [B,s,H,D]
  return g.op('Reshape', [o, g.i64([0, 0, heads * headDim])]);
}

/**
 * Scaled dot-product attention, q [B,S,H·D], k/v [B,L,H·D] → [B,S,H·D].
 * `seqLen` is S when it is fixed at conversion time (unrolled blocks), undefined when dynamic (Loop).
 */
export function attention(
  g: GraphBuilder, q: string, k: string, v: string,
  heads: number, headDim: number, opts: AttentionOptions, seqLen?: number,
): string {
  checkAttentionOptions(opts);
  const chunk = opts.queryChunk;
  const kv = prepareKV(g, k, v, heads, headDim, opts.impl);
  if (seqLen !== undefined) {
    if (seqLen <= chunk) return attentionCore(g, q, kv, heads, headDim, opts.impl);
    const parts: string[] = [];
    for (let s = 0; s < seqLen; s += chunk) {
      const e = Math.min(seqLen, s + chunk);
      const qs = g.op('Slice', [q, g.i64([s]), g.i64([e]), g.i64([1])]);
      parts.push(g.scope(`q${s}`, () => attentionCore(g, qs, kv, heads, headDim, opts.impl)));
    }
    return g.op('Concat', parts, { axis: 1 });
  }
  return attentionLoop(g, q, kv, heads, headDim, opts);
}

const loopCounter = new WeakMap<GraphBuilder, number>();

function attentionLoop(g: GraphBuilder, q: string, kv: PreparedKV, heads: number, headDim: number, opts: AttentionOptions): string {
  const chunk = opts.queryChunk;
  const c = heads * headDim;
  const s = g.op('Shape', [q], { start: 1, end: 2 }); // [1] = S
  const chunkC = g.i64([chunk]);
  const nIter = g.op('Div', [g.op('Add', [s, g.i64([chunk - 1])]), chunkC]); // ceil(S/chunk), [1]
  const padLen = g.op('Sub', [g.op('Mul', [nIter, chunkC]), s]);
  const pads = g.op('Concat', [g.i64([0, 0, 0, 0]), padLen, g.i64([0])], { axis: 0 });
  const qPad = g.op('Pad', [q, pads]); // [B, nIter·chunk, C], zero rows at the end

  // The body reads qPad and the prepared k/v from the enclosing graph. Its value names carry a per-graph
  // counter prefix so they never collide with the outer graph's (scope-path) names.
  const n = loopCounter.get(g) ?? 0;
  loopCounter.set(g, n + 1);
  const bodyPrefix = `attn_loop${n}`;
  const body = new Builder(bodyPrefix);
  body.scope(bodyPrefix, () => {
    const it = body.input(`${bodyPrefix}/iter`, 'int64', []);
    const condIn = body.input(`${bodyPrefix}/cond_in`, 'bool', []);
    const start = body.op('Mul', [body.op('Unsqueeze', [it, body.i64([0])]), body.i64([chunk])]);
    const end = body.op('Add', [start, body.i64([chunk])]);
    const qc = body.op('Slice', [qPad, start, end, body.i64([1])]);
    const o = attentionCore(body, qc, kv, heads, headDim, opts.impl);
    body.output(body.op('Identity', [condIn]), `${bodyPrefix}/cond_out`, 'bool', []);
    body.output(o, `${bodyPrefix}/out`, 'float32', ['B', chunk, c]);
  });
  const tripCount = g.op('Squeeze', [nIter, g.i64([0])]); // Loop's M is a scalar
  const stacked = g.op('Loop', [tripCount, ''], { body: { graph: body } }); // [nIter, B, chunk, C]
  const merged = g.op('Reshape', [g.op('Transpose', [stacked], { perm: [1, 0, 2, 3] }), g.i64([0, -1, c])]);
  return g.op('Slice', [merged, g.i64([0]), s, g.i64([1])]);
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
