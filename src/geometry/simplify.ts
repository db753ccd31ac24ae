// Face-count reduction with meshoptimizer (spec §8.1: `simplify` is the fraction of faces
// removed; target index count = round((1 − simplify)·F)·3). Colours take part in the error
// metric (simplifyWithAttributes) and borders are locked. The target error is loose (relative
// error 1 = the mesh extent) so the face target, not the error bound, stops the collapse.
// If the attribute-aware pass still misses the target by more than 5 % (e.g. locked borders on
// a very open mesh), simplifySloppy runs instead and the stats say so (`sloppyFallback` = 1).
import { MeshoptSimplifier } from 'meshoptimizer';
import type { ColoredMesh } from './types.ts';

export interface SimplifyStats {
  facesIn: number;
  facesTarget: number;
  facesOut: number;
  /** facesOut / facesTarget */
  achievedRatio: number;
  /** fraction of faces removed (compare with the requested meshSimplify) */
  removedFraction: number;
  /** meshoptimizer's relative error of the result */
  error: number;
  /** 1 when simplifySloppy replaced the attribute-aware result */
  sloppyFallback: number;
}

export interface SimplifyOptions {
  /** Weight of each RGB channel against positions in the error metric (default 0.5). */
  colorWeight?: number;
  onLog?: (message: string) => void;
}

export async function simplifyMesh(
  mesh: ColoredMesh,
  meshSimplify: number,
  opts: SimplifyOptions = {},
): Promise<{ mesh: ColoredMesh; stats: SimplifyStats }> {
  if (!(meshSimplify >= 0 && meshSimplify < 1)) {
    throw new Error(`simplify: mesh_simplify must be in [0, 1), got ${meshSimplify}`);
  }
  await MeshoptSimplifier.ready;
  const F = mesh.indices.length / 3;
  const targetFaces = Math.round((1 - meshSimplify) * F);
  const stats: SimplifyStats = {
    facesIn: F,
    facesTarget: targetFaces,
    facesOut: F,
    achievedRatio: F / Math.max(1, targetFaces),
    removedFraction: 0,
    error: 0,
    sloppyFallback: 0,
  };
  if (meshSimplify === 0 || F === 0) return { mesh, stats };

  const w = opts.colorWeight ?? 0.5;
  let [indices, error] = MeshoptSimplifier.simplifyWithAttributes(
    mesh.indices, mesh.positions, 3, mesh.colors, 3, [w, w, w], null, targetFaces * 3, 1, ['LockBorder'],
  );
  let faces = indices.length / 3;
  if (Math.abs(faces - targetFaces) > 0.05 * targetFaces) {
    const first = faces;
    [indices, error] = MeshoptSimplifier.simplifySloppy(mesh.indices, mesh.positions, 3, null, targetFaces * 3, 1);
    faces = indices.length / 3;
    stats.sloppyFallback = 1;
    opts.onLog?.(`simplify: attribute-aware pass reached ${first} faces for target ${targetFaces}; used simplifySloppy (${faces} faces)`);
  }
  stats.facesOut = faces;
  stats.achievedRatio = faces / Math.max(1, targetFaces);
  stats.removedFraction = 1 - faces / F;
  stats.error = error;
  return { mesh: compactVertices(mesh, indices), stats };
}

/** Keep only referenced vertices (order of first use). */
export function compactVertices(mesh: ColoredMesh, indices: Uint32Array): ColoredMesh {
  const V = mesh.positions.length / 3;
  const remap = new Int32Array(V).fill(-1);
  const out = new Uint32Array(indices.length);
  let n = 0;
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (remap[v] < 0) remap[v] = n++;
    out[i] = remap[v];
  }
  const positions = new Float32Array(n * 3);
  const colors = new Float32Array(n * 3);
  for (let v = 0; v < V; v++) {
    const r = remap[v];
    if (r < 0) continue;
    for (let k = 0; k < 3; k++) {
      positions[3 * r + k] = mesh.positions[3 * v + k];
      colors[3 * r + k] = mesh.colors[3 * v + k];
    }
  }
  return { positions, colors, indices: out };
}
