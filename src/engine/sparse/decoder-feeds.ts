// Index feeds of the SLat decoder graphs (input names: convert/networks/sparse-transformer.ts,
// slat-decoder-mesh.ts). Built once per decode from the stage-2 coords; all indices int32.

import { checkCoords, SparseCoordsError } from './coords.ts';
import { buildNeighbourMap, childNeighbourMap, KERNEL_VOLUME } from './neighbours.ts';
import { buildSwinWindows } from './swin-windows.ts';
import { subdivideCoords } from './subdivide.ts';

export interface SparseFeed {
  dtype: 'int32' | 'float32';
  dims: number[];
  data: Int32Array | Float32Array;
}

export interface TrunkFeedOptions {
  /**
   * The decoder's grid size (config resolution). When given, every coordinate is checked to lie
   * in [0, resolution): the graph's APE is a table of that size, and an out-of-range Gather is
   * an error on WASM but not necessarily on WebGPU. Pass it.
   */
  resolution?: number;
  windowSize: number;
  /** Padded window groups per partition; must equal the graph's swinGroups. */
  swinGroups: number;
  numBlocks: number;
}

/** pos [N,3] and the swin tables of every shift the blocks use. */
export function trunkIndexInputs(coords: Int32Array, n: number, opts: TrunkFeedOptions): Record<string, SparseFeed> {
  checkCoords(coords, n);
  const pos = new Int32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      const v = coords[i * 4 + 1 + a];
      if (opts.resolution !== undefined && v >= opts.resolution) throw new SparseCoordsError(`decoder coords: row ${i} column ${a + 1} = ${v} is outside the decoder grid [0, ${opts.resolution})`);
      pos[i * 3 + a] = v;
    }
  }
  const feeds: Record<string, SparseFeed> = { pos: { dtype: 'int32', dims: [n, 3], data: pos } };
  const shifts = new Set<number>();
  for (let i = 0; i < opts.numBlocks; i++) shifts.add(i % 2 === 0 ? 0 : opts.windowSize >> 1);
  for (const s of shifts) {
    const sw = buildSwinWindows(coords, n, opts.windowSize, s, opts.swinGroups);
    sw.groups.forEach((gr, gi) => {
      feeds[`swin${s}_index_${gi}`] = { dtype: 'int32', dims: [gr.windows, gr.length], data: gr.index };
      feeds[`swin${s}_mask_${gi}`] = { dtype: 'float32', dims: [gr.windows, gr.length], data: gr.mask };
    });
    feeds[`swin${s}_inverse`] = { dtype: 'int32', dims: [n], data: sw.inverse };
  }
  return feeds;
}

/**
 * Trunk feeds plus the neighbour tables of the two subdivided levels:
 * nbr_sub1 [8N,27] (2× resolution), nbr_sub2 [64N,27] (4× resolution); missing = row count.
 * The 1×-level table is only an intermediate (hash-based); the finer ones are derived from it.
 */
export function meshDecoderIndexInputs(coords: Int32Array, n: number, opts: TrunkFeedOptions): Record<string, SparseFeed> {
  const { feeds, nbrSub1 } = meshDecoderHeadIndexInputs(coords, n, opts);
  feeds.nbr_sub2 = { dtype: 'int32', dims: [64 * n, KERNEL_VOLUME], data: childNeighbourMap(nbrSub1, 8 * n) };
  return feeds;
}

/**
 * The graph's GroupNorms take statistics over all rows: one sample per run.
 * Feeds of the chunked form's head graph (trunk feeds + nbr_sub1); nbrSub1 is also what
 * planMeshTailChunks needs (mesh-chunks.ts).
 */
export function meshDecoderHeadIndexInputs(coords: Int32Array, n: number, opts: TrunkFeedOptions): { feeds: Record<string, SparseFeed>; nbrSub1: Int32Array } {
  checkCoords(coords, n);
  for (let i = 1; i < n; i++) {
    if (coords[i * 4] !== coords[0]) throw new SparseCoordsError(`mesh decoder: coords hold several batch items (row ${i} has batch ${coords[i * 4]}, row 0 has ${coords[0]}); decode one sample per run`);
  }
  const feeds = trunkIndexInputs(coords, n, opts);
  const nbrSub1 = childNeighbourMap(buildNeighbourMap(coords, n), n);
  feeds.nbr_sub1 = { dtype: 'int32', dims: [8 * n, KERNEL_VOLUME], data: nbrSub1 };
  return { feeds, nbrSub1 };
}

/** Coords of the mesh decoder's output rows: two subdivisions, row (p·8 + k1)·8 + k2. */
export function meshDecoderOutputCoords(coords: Int32Array, n: number): Int32Array {
  return subdivideCoords(subdivideCoords(coords, n), 8 * n);
}
