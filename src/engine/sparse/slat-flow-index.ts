// The index inputs of the SLat flow graph (convert/networks/slat-flow.ts declares them): built
// once per run from the stage-1 coords by the engine, which is why they live here and the
// converter imports their names from this module.
import { buildDownsample } from './downsample.ts';
import { buildNeighbourMap } from './neighbours.ts';

export const SLAT_INDEX_INPUTS = ['nbr_fine', 'nbr_coarse', 'down_children', 'down_inv', 'up_index', 'coarse_pos'] as const;

export interface IndexFeed {
  dtype: 'int32' | 'float32';
  dims: number[];
  data: Int32Array | Float32Array;
}

/**
 * The index inputs of the SLat flow graph for one sample's coords [n,4] (b,x,y,z). They depend
 * only on the coords, so the engine builds them once per run and reuses them for every call.
 */
export function slatFlowIndexInputs(coords: Int32Array, n: number): Record<(typeof SLAT_INDEX_INPUTS)[number], IndexFeed> {
  if (coords.length !== n * 4) throw new Error(`slat flow coords: ${coords.length} values for ${n} rows of (b,x,y,z)`);
  for (let i = 0; i < n; i++) {
    if (coords[i * 4] !== coords[0]) throw new Error(`slat flow coords: row ${i} has batch ${coords[i * 4]}, row 0 has ${coords[0]}; the graph takes one sample per call`);
  }
  const ds = buildDownsample(coords, n);
  const m = ds.m;
  const pos = new Float32Array(m * 3);
  for (let j = 0; j < m; j++) for (let a = 0; a < 3; a++) pos[j * 3 + a] = ds.coarseCoords[j * 4 + 1 + a];
  return {
    nbr_fine: { dtype: 'int32', dims: [n, 27], data: buildNeighbourMap(coords, n) },
    nbr_coarse: { dtype: 'int32', dims: [m, 27], data: buildNeighbourMap(ds.coarseCoords, m) },
    down_children: { dtype: 'int32', dims: [m, 8], data: ds.children },
    down_inv: { dtype: 'float32', dims: [m, 1], data: ds.invDivisor },
    up_index: { dtype: 'int32', dims: [n], data: ds.parentIndex },
    coarse_pos: { dtype: 'float32', dims: [m, 3], data: pos },
  };
}

