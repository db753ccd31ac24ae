// Surface-to-surface distance: area-weighted face samples of one mesh against the triangles of
// another through a uniform grid (exact point-to-triangle distance, ring search).
import { triangleArea } from './mesh-measure.ts';

export interface TriangleGrid {
  positions: Float32Array;
  indices: Uint32Array;
  origin: [number, number, number];
  cell: number;
  dims: [number, number, number];
  /** CSR: triangles of cell c are tris[start[c] .. start[c+1]) */
  start: Int32Array;
  tris: Int32Array;
}

export function buildTriangleGrid(
  positions: Float32Array,
  indices: Uint32Array,
  bounds: [number, number, number, number, number, number],
  cell: number,
): TriangleGrid {
  const origin: [number, number, number] = [bounds[0], bounds[1], bounds[2]];
  const dims: [number, number, number] = [0, 1, 2].map((k) => Math.max(1, Math.ceil((bounds[k + 3] - bounds[k]) / cell))) as [number, number, number];
  const nCells = dims[0] * dims[1] * dims[2];
  const F = indices.length / 3;
  const count = new Int32Array(nCells + 1);
  const visit = (f: number, fn: (c: number) => void) => {
    const lo = [0, 0, 0];
    const hi = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const a = positions[3 * indices[3 * f] + k];
      const b = positions[3 * indices[3 * f + 1] + k];
      const c = positions[3 * indices[3 * f + 2] + k];
      lo[k] = clampCell(Math.floor((Math.min(a, b, c) - origin[k]) / cell), dims[k]);
      hi[k] = clampCell(Math.floor((Math.max(a, b, c) - origin[k]) / cell), dims[k]);
    }
    for (let x = lo[0]; x <= hi[0]; x++)
      for (let y = lo[1]; y <= hi[1]; y++) for (let z = lo[2]; z <= hi[2]; z++) fn((x * dims[1] + y) * dims[2] + z);
  };
  for (let f = 0; f < F; f++) visit(f, (c) => count[c + 1]++);
  for (let c = 0; c < nCells; c++) count[c + 1] += count[c];
  const fill = count.slice(0, nCells);
  const tris = new Int32Array(count[nCells]);
  for (let f = 0; f < F; f++) visit(f, (c) => (tris[fill[c]++] = f));
  return { positions, indices, origin, cell, dims, start: count, tris };
}

function clampCell(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** Distance from (px, py, pz) to the nearest triangle in the grid. */
export function distanceToMesh(g: TriangleGrid, px: number, py: number, pz: number): number {
  const [nx, ny, nz] = g.dims;
  const cx = clampCell(Math.floor((px - g.origin[0]) / g.cell), nx);
  const cy = clampCell(Math.floor((py - g.origin[1]) / g.cell), ny);
  const cz = clampCell(Math.floor((pz - g.origin[2]) / g.cell), nz);
  let best = Infinity;
  const maxR = Math.max(nx, ny, nz);
  for (let r = 0; r <= maxR; r++) {
    const x0 = Math.max(0, cx - r), x1 = Math.min(nx - 1, cx + r);
    const y0 = Math.max(0, cy - r), y1 = Math.min(ny - 1, cy + r);
    const z0 = Math.max(0, cz - r), z1 = Math.min(nz - 1, cz + r);
    for (let x = x0; x <= x1; x++) {
      const onX = x === cx - r || x === cx + r;
      for (let y = y0; y <= y1; y++) {
        const onXY = onX || y === cy - r || y === cy + r;
        // Only the shell of the (2r+1)³ block is new at ring r.
        const step = onXY ? 1 : 2 * r;
        for (let z = onXY ? z0 : cz - r; z <= z1; z += step) {
          if (z < z0) continue;
          const c = (x * ny + y) * nz + z;
          for (let q = g.start[c]; q < g.start[c + 1]; q++) {
            const d = pointTriangleDistanceSq(g.positions, g.indices, g.tris[q], px, py, pz);
            if (d < best) best = d;
          }
          if (step === 0) break;
        }
      }
    }
    // Cells beyond ring r are at least r·cell away from the query point.
    if (best <= (r * g.cell) ** 2) break;
  }
  return Math.sqrt(best);
}

/** Squared distance to triangle f (closest-point regions, Ericson §5.1.5). */
export function pointTriangleDistanceSq(p: Float32Array, idx: Uint32Array, f: number, px: number, py: number, pz: number): number {
  const a = 3 * idx[3 * f];
  const b = 3 * idx[3 * f + 1];
  const c = 3 * idx[3 * f + 2];
  const ax = p[a], ay = p[a + 1], az = p[a + 2];
  const abx = p[b] - ax, aby = p[b + 1] - ay, abz = p[b + 2] - az;
  const acx = p[c] - ax, acy = p[c + 1] - ay, acz = p[c + 2] - az;
  const apx = px - ax, apy = py - ay, apz = pz - az;
  const d1 = abx * apx + aby * apy + abz * apz;
  const d2 = acx * apx + acy * apy + acz * apz;
  let qx: number, qy: number, qz: number;
  if (d1 <= 0 && d2 <= 0) {
    qx = ax; qy = ay; qz = az;
  } else {
    const bpx = px - p[b], bpy = py - p[b + 1], bpz = pz - p[b + 2];
    const d3 = abx * bpx + aby * bpy + abz * bpz;
    const d4 = acx * bpx + acy * bpy + acz * bpz;
    const cpx = px - p[c], cpy = py - p[c + 1], cpz = pz - p[c + 2];
    const d5 = abx * cpx + aby * cpy + abz * cpz;
    const d6 = acx * cpx + acy * cpy + acz * cpz;
    const vc = d1 * d4 - d3 * d2;
    const vb = d5 * d2 - d1 * d6;
    const va = d3 * d6 - d5 * d4;
    if (d3 >= 0 && d4 <= d3) {
      qx = p[b]; qy = p[b + 1]; qz = p[b + 2];
    } else if (d6 >= 0 && d5 <= d6) {
      qx = p[c]; qy = p[c + 1]; qz = p[c + 2];
    } else if (vc <= 0 && d1 >= 0 && d3 <= 0) {
      const t = d1 / (d1 - d3);
      qx = ax + t * abx; qy = ay + t * aby; qz = az + t * abz;
    } else if (vb <= 0 && d2 >= 0 && d6 <= 0) {
      const t = d2 / (d2 - d6);
      qx = ax + t * acx; qy = ay + t * acy; qz = az + t * acz;
    } else if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
      const t = (d4 - d3) / (d4 - d3 + (d5 - d6));
      qx = p[b] + t * (p[c] - p[b]); qy = p[b + 1] + t * (p[c + 1] - p[b + 1]); qz = p[b + 2] + t * (p[c + 2] - p[b + 2]);
    } else {
      const denom = 1 / (va + vb + vc);
      const v = vb * denom;
      const w = vc * denom;
      qx = ax + abx * v + acx * w; qy = ay + aby * v + acy * w; qz = az + abz * v + acz * w;
    }
  }
  const dx = px - qx, dy = py - qy, dz = pz - qz;
  return dx * dx + dy * dy + dz * dz;
}

function bounds(...meshes: Float32Array[]): [number, number, number, number, number, number] {
  const b: [number, number, number, number, number, number] = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  for (const p of meshes) {
    for (let i = 0; i < p.length; i += 3) {
      for (let k = 0; k < 3; k++) {
        b[k] = Math.min(b[k], p[i + k]);
        b[k + 3] = Math.max(b[k + 3], p[i + k]);
      }
    }
  }
  return b;
}

/**
 * Area-weighted mean distance from the surface of A to the surface of B, sampling each face of A
 * at its centroid (faces are at most about a voxel across, so one sample per face suffices).
 */
export function meanSurfaceDistance(aPos: Float32Array, aIdx: Uint32Array, grid: TriangleGrid): number {
  let sum = 0;
  let wsum = 0;
  const F = aIdx.length / 3;
  const third = 1 / 3;
  for (let f = 0; f < F; f++) {
    const ia = 3 * aIdx[3 * f], ib = 3 * aIdx[3 * f + 1], ic = 3 * aIdx[3 * f + 2];
    const area = triangleArea(aPos, ia / 3, ib / 3, ic / 3);
    if (area === 0) continue;
    const d = distanceToMesh(
      grid,
      (aPos[ia] + aPos[ib] + aPos[ic]) * third,
      (aPos[ia + 1] + aPos[ib + 1] + aPos[ic + 1]) * third,
      (aPos[ia + 2] + aPos[ib + 2] + aPos[ic + 2]) * third,
    );
    sum += area * d;
    wsum += area;
  }
  return wsum > 0 ? sum / wsum : Infinity;
}

/** Symmetric mean Chamfer distance (mean of both directed area-weighted mean distances). */
export function chamferDistance(
  aPos: Float32Array,
  aIdx: Uint32Array,
  bPos: Float32Array,
  bIdx: Uint32Array,
  cell = 1 / 256,
): { chamfer: number; aToB: number; bToA: number } {
  const bb = bounds(aPos, bPos);
  const gridB = buildTriangleGrid(bPos, bIdx, bb, cell);
  const gridA = buildTriangleGrid(aPos, aIdx, bb, cell);
  const aToB = meanSurfaceDistance(aPos, aIdx, gridB);
  const bToA = meanSurfaceDistance(bPos, bIdx, gridA);
  return { chamfer: 0.5 * (aToB + bToA), aToB, bToA };
}
