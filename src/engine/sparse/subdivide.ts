// SparseSubdivide coordinates (networks.md §2.5): each voxel becomes 8 children at twice the
// resolution, row = 8·parent + k with (dx,dy,dz) = (k>>2 &1, k>>1 &1, k&1). The order is
// parent-major, not lexicographic; the mesh decoder's output rows follow it.

import { checkCoords } from './coords.ts';

export function subdivideCoords(coords: Int32Array, n: number): Int32Array {
  checkCoords(coords, n);
  const out = new Int32Array(n * 32);
  for (let p = 0; p < n; p++) {
    const b = coords[p * 4];
    const x = coords[p * 4 + 1] * 2;
    const y = coords[p * 4 + 2] * 2;
    const z = coords[p * 4 + 3] * 2;
    for (let k = 0; k < 8; k++) {
      const o = (p * 8 + k) * 4;
      out[o] = b;
      out[o + 1] = x + ((k >> 2) & 1);
      out[o + 2] = y + ((k >> 1) & 1);
      out[o + 3] = z + (k & 1);
    }
  }
  return out;
}
