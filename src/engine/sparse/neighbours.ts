// Neighbour tables for the 3x3x3 submanifold convolution (spconv SubMConv3d semantics,
// networks.md §2.2): nbr[i,k] is the row of the voxel at coords[i] + o_k in the same batch item,
// or n when that voxel is inactive (the graph appends a zero row at index n).
// k = 9·r0 + 3·r1 + r2 with offset o_k = (r0-1, r1-1, r2-1) on (x, y, z).
// All tables are int32 (see coords.ts for why).

import { CoordIndex, SparseCoordsError } from './coords.ts';

export const KERNEL_VOLUME = 27;
/** The k of offset (0,0,0): nbr[i,13] = i for every row. */
export const CENTRE_OFFSET = 13;

/** Offsets (dx,dy,dz) of filter index k. */
export function kernelOffset(k: number): [number, number, number] {
  return [Math.floor(k / 9) - 1, (Math.floor(k / 3) % 3) - 1, (k % 3) - 1];
}

/** Hash-based neighbour table for arbitrary coords [n,4] → Int32Array [n,27] (missing = n). */
export function buildNeighbourMap(coords: Int32Array, n: number): Int32Array {
  const index = new CoordIndex(coords, n);
  const nbr = new Int32Array(n * KERNEL_VOLUME);
  for (let i = 0; i < n; i++) {
    const b = coords[i * 4];
    const x = coords[i * 4 + 1];
    const y = coords[i * 4 + 2];
    const z = coords[i * 4 + 3];
    const row = i * KERNEL_VOLUME;
    for (let k = 0; k < KERNEL_VOLUME; k++) {
      const dx = Math.floor(k / 9) - 1;
      const dy = (Math.floor(k / 3) % 3) - 1;
      const dz = (k % 3) - 1;
      const j = index.get(b, x + dx, y + dy, z + dz);
      nbr[row + k] = j < 0 ? n : j;
    }
  }
  return nbr;
}

/** Child order of SparseSubdivide: k ↔ (dx,dy,dz) = (k>>2 &1, k>>1 &1, k&1), dz fastest. */
export function childIndex(dx: number, dy: number, dz: number): number {
  return 4 * dx + 2 * dy + dz;
}

// For child d (0..7) and kernel offset k (0..26): which parent offset k' holds the neighbour and
// which of its children it is. With s = d + o ∈ {-1..2}³ the neighbour is child (s mod 2) of the
// parent neighbour at floor(s/2) ∈ {-1,0,1}³ (networks.md §2.5).
const CHILD_RULE = (() => {
  const parentK = new Int32Array(8 * KERNEL_VOLUME);
  const child = new Int32Array(8 * KERNEL_VOLUME);
  for (let d = 0; d < 8; d++) {
    const dd = [(d >> 2) & 1, (d >> 1) & 1, d & 1];
    for (let k = 0; k < KERNEL_VOLUME; k++) {
      const o = kernelOffset(k);
      const s = dd.map((v, a) => v + o[a]);
      const p = s.map((v) => Math.floor(v / 2));
      const u = s.map((v) => v - 2 * Math.floor(v / 2));
      parentK[d * KERNEL_VOLUME + k] = 9 * (p[0] + 1) + 3 * (p[1] + 1) + (p[2] + 1);
      child[d * KERNEL_VOLUME + k] = childIndex(u[0], u[1], u[2]);
    }
  }
  return { parentK, child };
})();

/**
 * One entry of the subdivided level's table without building it: the row of the neighbour of
 * child row `childRow` (= 8·parent + d) at offset k, or 8·nParent if absent.
 */
export function childNeighbour(parentNbr: Int32Array, nParent: number, childRow: number, k: number): number {
  const p = childRow >> 3;
  const rule = (childRow & 7) * KERNEL_VOLUME + k;
  const q = parentNbr[p * KERNEL_VOLUME + CHILD_RULE.parentK[rule]];
  return q === nParent ? nParent * 8 : q * 8 + CHILD_RULE.child[rule];
}

/**
 * Neighbour table of the subdivided level (8n rows, row = 8·parent + child) derived from the
 * parent table without hashing: every active parent has all 8 children, inactive parents have
 * none. Missing = 8n.
 */
export function childNeighbourMap(parentNbr: Int32Array, nParent: number): Int32Array {
  if (parentNbr.length !== nParent * KERNEL_VOLUME) {
    throw new SparseCoordsError(`parent neighbour table: expected ${nParent}x27 values, got ${parentNbr.length}`);
  }
  const nChild = nParent * 8;
  const out = new Int32Array(nChild * KERNEL_VOLUME);
  const { parentK, child } = CHILD_RULE;
  for (let p = 0; p < nParent; p++) {
    const prow = p * KERNEL_VOLUME;
    for (let d = 0; d < 8; d++) {
      const orow = (p * 8 + d) * KERNEL_VOLUME;
      const rule = d * KERNEL_VOLUME;
      for (let k = 0; k < KERNEL_VOLUME; k++) {
        const q = parentNbr[prow + parentK[rule + k]];
        out[orow + k] = q === nParent ? nChild : q * 8 + child[rule + k];
      }
    }
  }
  return out;
}
