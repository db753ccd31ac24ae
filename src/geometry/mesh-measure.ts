// Whole-mesh measures: surface area, signed volume, edge-manifold report.
import { faceCross } from './face-cross.ts';

export function surfaceArea(positions: Float32Array, indices: Uint32Array, from = 0, to = indices.length / 3): number {
  let sum = 0;
  for (let f = from; f < to; f++) sum += triangleArea(positions, indices[3 * f], indices[3 * f + 1], indices[3 * f + 2]);
  return sum;
}

const cross = new Float64Array(3);

export function triangleArea(p: Float32Array, a: number, b: number, c: number): number {
  faceCross(p, a, b, c, cross);
  return 0.5 * Math.sqrt(cross[0] * cross[0] + cross[1] * cross[1] + cross[2] * cross[2]);
}

/** Signed volume Σ v0·(v1×v2)/6; positive for a closed mesh whose normals point outward. */
export function signedVolume(positions: Float32Array, indices: Uint32Array, faces?: ArrayLike<number>): number {
  let sum = 0;
  const n = faces ? faces.length : indices.length / 3;
  for (let q = 0; q < n; q++) {
    const f = faces ? faces[q] : q;
    const a = 3 * indices[3 * f];
    const b = 3 * indices[3 * f + 1];
    const c = 3 * indices[3 * f + 2];
    const p = positions;
    sum +=
      p[a] * (p[b + 1] * p[c + 2] - p[b + 2] * p[c + 1]) -
      p[a + 1] * (p[b] * p[c + 2] - p[b + 2] * p[c]) +
      p[a + 2] * (p[b] * p[c + 1] - p[b + 1] * p[c]);
  }
  return sum / 6;
}

export interface ManifoldReport {
  edges: number;
  /** edges used by exactly one face */
  boundaryEdges: number;
  /** edges used by more than two faces */
  nonManifoldEdges: number;
  /** edges used twice in the same direction (inconsistent orientation) */
  misorientedEdges: number;
}

/** Edge usage counts via a sorted list of directed edges (no per-edge objects). */
export function manifoldReport(indices: Uint32Array): ManifoldReport {
  const F = indices.length / 3;
  // key = min·2^32 + max as float64 is exact for < 2^21 vertices per side; use two arrays instead.
  const lo = new Uint32Array(3 * F);
  const hi = new Uint32Array(3 * F);
  const fwd = new Uint8Array(3 * F);
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < 3; k++) {
      const a = indices[3 * f + k];
      const b = indices[3 * f + ((k + 1) % 3)];
      const e = 3 * f + k;
      lo[e] = Math.min(a, b);
      hi[e] = Math.max(a, b);
      fwd[e] = a < b ? 1 : 0;
    }
  }
  const order = new Uint32Array(3 * F);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((x, y) => lo[x] - lo[y] || hi[x] - hi[y]);
  const r: ManifoldReport = { edges: 0, boundaryEdges: 0, nonManifoldEdges: 0, misorientedEdges: 0 };
  for (let i = 0; i < order.length; ) {
    let j = i + 1;
    while (j < order.length && lo[order[j]] === lo[order[i]] && hi[order[j]] === hi[order[i]]) j++;
    const n = j - i;
    r.edges++;
    if (n === 1) r.boundaryEdges++;
    else if (n > 2) r.nonManifoldEdges++;
    else if (fwd[order[i]] === fwd[order[i + 1]]) r.misorientedEdges++;
    i = j;
  }
  return r;
}
