// SparseDownsample(2) index maps (networks.md §2.4). Coarse cells (b, x//2, y//2, z//2) come out
// in lexicographic order (the reference takes unique() of a packed code). The reference's
// scatter_reduce('mean', include_self=True) divides the children's sum by count + 1, so the
// graph computes ReduceSum(Gather(feats ⊕ zero row, children)) · invDivisor.

import { checkCoords } from './coords.ts';

export interface DownsampleMaps {
  /** [m,4] coarse coords, lexicographic by (b,x,y,z). */
  coarseCoords: Int32Array;
  m: number;
  /** [n] coarse row of every fine row (the upsample is Gather(coarse, parentIndex)). */
  parentIndex: Int32Array;
  /** [m,8] fine rows of each coarse cell in ascending row order, padded with n. */
  children: Int32Array;
  /** [m] 1/(children + 1). */
  invDivisor: Float32Array;
}

export function buildDownsample(coords: Int32Array, n: number): DownsampleMaps {
  checkCoords(coords, n);
  // Packed coarse key; coarse xyz < 512 (9 bits each), batch above: exact in a double.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    keys[i] = coords[o] * 2 ** 27 + (coords[o + 1] >> 1) * 2 ** 18 + (coords[o + 2] >> 1) * 2 ** 9 + (coords[o + 3] >> 1);
  }
  const sorted = Float64Array.from(keys).sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[m++] = sorted[i];
  const unique = sorted.subarray(0, m);

  const parentIndex = new Int32Array(n);
  const counts = new Int32Array(m);
  const children = new Int32Array(m * 8).fill(n);
  for (let i = 0; i < n; i++) {
    let lo = 0;
    let hi = m - 1;
    const key = keys[i];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (unique[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    parentIndex[i] = lo;
    children[lo * 8 + counts[lo]++] = i;
  }

  const coarseCoords = new Int32Array(m * 4);
  const invDivisor = new Float32Array(m);
  for (let j = 0; j < m; j++) {
    const i = children[j * 8];
    coarseCoords[j * 4] = coords[i * 4];
    coarseCoords[j * 4 + 1] = coords[i * 4 + 1] >> 1;
    coarseCoords[j * 4 + 2] = coords[i * 4 + 2] >> 1;
    coarseCoords[j * 4 + 3] = coords[i * 4 + 3] >> 1;
    invDivisor[j] = 1 / (counts[j] + 1);
  }
  return { coarseCoords, m, parentIndex, children, invDivisor };
}
