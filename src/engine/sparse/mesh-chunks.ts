// Chunked evaluation of the mesh decoder's finest stage (64N rows at 4× resolution; 1.28 M rows
// for N = 20000). The graphs are built by convert/networks/slat-decoder-mesh.ts
// (buildMeshDecoder{Head,Stats,Tail}Graph). A chunk is a run of consecutive level-1 parents
// [parentStart, parentEnd); its rows are their 8 children each (the reference's row order), so
// the chunk outputs concatenate to the full output. A chunk graph sees only what it needs:
//   halo   = the chunk rows first, then every other level-2 row one of them reads (conv 2),
//   parents = the level-1 rows whose children the halo reads (conv 1 reads copies of parents).
// The GroupNorm between the convs needs statistics over all 64N rows: a stats pass over the
// chunks first (Σx, Σx² per group, summed here in float64).
//
// Sizes (real config C=768 → C/4=192, C/8=96; a 64³ sphere shell N=23312, measured with this
// planner): 20000 parents per chunk → R = 160 000 rows, halo H = 1.08·R, Q ≈ 23 000 parents;
// largest chunk tensors [H,96] fp32 = 66 MB and out [R,101] = 65 MB, index feeds [H,27] int32 =
// 19 MB. Planning all chunks of that case takes ~3 s in Node (done twice: stats and tail pass).

import { childNeighbour, KERNEL_VOLUME } from './neighbours.ts';
import type { SparseFeed } from './decoder-feeds.ts';

export const GROUPNORM_GROUPS = 32;

export interface MeshTailChunk {
  parentStart: number;
  parentEnd: number;
  /** Chunk rows R = 8·(parentEnd − parentStart): level-2 rows 8·parentStart … 8·parentEnd − 1. */
  rows: number;
  /** Halo rows H ≥ R (the first R are the chunk rows). */
  haloRows: number;
  /** [H] level-2 row of each halo entry. */
  haloRowIds: Int32Array;
  /** [Q] level-1 rows of a_sub1 the chunk reads. */
  parentRows: Int32Array;
  /** [H,27] for each halo row and offset: index into parentRows of the parent holding the neighbour, pad Q. */
  haloParentNbr: Int32Array;
  /** [R,27] index into the halo of each chunk row's neighbour, pad H. */
  chunkNbr: Int32Array;
}

/**
 * Plans chunks of `parentsPerChunk` level-1 parents from the level-1 neighbour table nbrSub1
 * [nSub1,27] (pad nSub1; engine/sparse/neighbours.ts childNeighbourMap of the 64³ table).
 * The [64N,27] level-2 table is never built: its entries come from childNeighbour.
 */
export function* planMeshTailChunks(nbrSub1: Int32Array, nSub1: number, parentsPerChunk: number): Generator<MeshTailChunk> {
  if (nbrSub1.length !== nSub1 * KERNEL_VOLUME) throw new Error(`planMeshTailChunks: nbrSub1 has ${nbrSub1.length} values, expected ${nSub1}x27`);
  if (!Number.isInteger(parentsPerChunk) || parentsPerChunk < 1) throw new Error(`planMeshTailChunks: parentsPerChunk ${parentsPerChunk} must be a positive integer`);
  const pad2 = nSub1 * 8;
  const haloLocal = new Int32Array(pad2).fill(-1);
  const parentLocal = new Int32Array(nSub1).fill(-1);
  for (let ps = 0; ps < nSub1; ps += parentsPerChunk) {
    const pe = Math.min(nSub1, ps + parentsPerChunk);
    const R = 8 * (pe - ps);
    const halo: number[] = [];
    for (let r = 8 * ps; r < 8 * pe; r++) {
      haloLocal[r] = halo.length;
      halo.push(r);
    }
    const chunkNbr = new Int32Array(R * KERNEL_VOLUME);
    for (let i = 0; i < R; i++) {
      for (let k = 0; k < KERNEL_VOLUME; k++) {
        const q = childNeighbour(nbrSub1, nSub1, 8 * ps + i, k);
        if (q === pad2) {
          chunkNbr[i * KERNEL_VOLUME + k] = -1;
          continue;
        }
        if (haloLocal[q] < 0) {
          haloLocal[q] = halo.length;
          halo.push(q);
        }
        chunkNbr[i * KERNEL_VOLUME + k] = haloLocal[q];
      }
    }
    const H = halo.length;
    for (let i = 0; i < chunkNbr.length; i++) if (chunkNbr[i] < 0) chunkNbr[i] = H;

    const parents: number[] = [];
    const haloParentNbr = new Int32Array(H * KERNEL_VOLUME);
    for (let j = 0; j < H; j++) {
      for (let k = 0; k < KERNEL_VOLUME; k++) {
        const q = childNeighbour(nbrSub1, nSub1, halo[j], k);
        if (q === pad2) {
          haloParentNbr[j * KERNEL_VOLUME + k] = -1;
          continue;
        }
        const p = q >> 3;
        if (parentLocal[p] < 0) {
          parentLocal[p] = parents.length;
          parents.push(p);
        }
        haloParentNbr[j * KERNEL_VOLUME + k] = parentLocal[p];
      }
    }
    const Q = parents.length;
    for (let i = 0; i < haloParentNbr.length; i++) if (haloParentNbr[i] < 0) haloParentNbr[i] = Q;
    for (const r of halo) haloLocal[r] = -1;
    for (const p of parents) parentLocal[p] = -1;
    yield { parentStart: ps, parentEnd: pe, rows: R, haloRows: H, haloRowIds: Int32Array.from(halo), parentRows: Int32Array.from(parents), haloParentNbr, chunkNbr };
  }
}

/** Rows `rows` of x [*, C] as a new [rows.length, C] array. */
export function gatherRows(x: Float32Array, channels: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * channels);
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i] * channels, (rows[i] + 1) * channels), i * channels);
  return out;
}

export interface MeshTailRunner {
  /** Runs the stats graph; returns gn_sum and gn_sumsq [32]. */
  stats(feeds: Record<string, SparseFeed>): Promise<{ sum: Float32Array; sumsq: Float32Array }>;
  /** Runs the tail graph; returns out_feats [R, outChannels]. */
  tail(feeds: Record<string, SparseFeed>): Promise<Float32Array>;
}

export interface MeshTailInputs {
  /** Head outputs h_sub1 and a_sub1 [nSub1, C1]. */
  hSub1: Float32Array;
  aSub1: Float32Array;
  nSub1: number;
  /** Channels at level 1 (C/4) and after the first conv (C/8). */
  c1: number;
  c2: number;
  outChannels: number;
  nbrSub1: Int32Array;
  parentsPerChunk: number;
  eps?: number;
}

/** Stats pass + tail pass over all chunks → out_feats [64N, outChannels] in the reference row order. */
export async function runMeshTailChunked(inp: MeshTailInputs, run: MeshTailRunner): Promise<Float32Array> {
  const { c1, c2, nSub1 } = inp;
  if (inp.hSub1.length !== nSub1 * c1 || inp.aSub1.length !== nSub1 * c1) throw new Error(`runMeshTailChunked: h_sub1/a_sub1 must hold ${nSub1}x${c1} values`);
  const parentFeed = (ch: MeshTailChunk): SparseFeed => ({ dtype: 'float32', dims: [ch.parentRows.length, c1], data: gatherRows(inp.aSub1, c1, ch.parentRows) });

  const sum = new Float64Array(GROUPNORM_GROUPS);
  const sumsq = new Float64Array(GROUPNORM_GROUPS);
  for (const ch of planMeshTailChunks(inp.nbrSub1, nSub1, inp.parentsPerChunk)) {
    const s = await run.stats({
      a_parents: parentFeed(ch),
      halo_parent_nbr: { dtype: 'int32', dims: [ch.rows, KERNEL_VOLUME], data: ch.haloParentNbr.subarray(0, ch.rows * KERNEL_VOLUME) },
    });
    for (let gI = 0; gI < GROUPNORM_GROUPS; gI++) {
      sum[gI] += s.sum[gI];
      sumsq[gI] += s.sumsq[gI];
    }
  }
  const { mean, rstd } = groupStatsFromSums(sum, sumsq, 8 * nSub1 * (c2 / GROUPNORM_GROUPS), inp.eps ?? 1e-5);

  const out = new Float32Array(8 * nSub1 * inp.outChannels);
  for (const ch of planMeshTailChunks(inp.nbrSub1, nSub1, inp.parentsPerChunk)) {
    const y = await run.tail({
      a_parents: parentFeed(ch),
      halo_parent_nbr: { dtype: 'int32', dims: [ch.haloRows, KERNEL_VOLUME], data: ch.haloParentNbr },
      chunk_nbr: { dtype: 'int32', dims: [ch.rows, KERNEL_VOLUME], data: ch.chunkNbr },
      h_parents: { dtype: 'float32', dims: [ch.parentEnd - ch.parentStart, c1], data: inp.hSub1.subarray(ch.parentStart * c1, ch.parentEnd * c1) },
      gn_mean: { dtype: 'float32', dims: [GROUPNORM_GROUPS], data: mean },
      gn_rstd: { dtype: 'float32', dims: [GROUPNORM_GROUPS], data: rstd },
    });
    if (y.length !== ch.rows * inp.outChannels) throw new Error(`mesh tail chunk at parent ${ch.parentStart}: got ${y.length} values, expected ${ch.rows}x${inp.outChannels}`);
    out.set(y, 8 * ch.parentStart * inp.outChannels);
  }
  return out;
}

/** GroupNorm mean and 1/sqrt(var + eps) from Σx, Σx² over `count` values per group (biased variance). */
export function groupStatsFromSums(sum: Float64Array, sumsq: Float64Array, count: number, eps: number): { mean: Float32Array; rstd: Float32Array } {
  const mean = new Float32Array(sum.length);
  const rstd = new Float32Array(sum.length);
  for (let i = 0; i < sum.length; i++) {
    const m = sum[i] / count;
    const v = Math.max(0, sumsq[i] / count - m * m);
    mean[i] = m;
    rstd[i] = 1 / Math.sqrt(v + eps);
  }
  return { mean, rstd };
}
