// `verify` for the mesh path: every golden case that holds mesh-decoder output features
// (out_coords/out_feats or mesh_out_coords/mesh_out_feats, 101 channels) together with the
// reference FlexiCubes mesh (mesh_vertices/mesh_faces) is decoded with the default (dual,
// FlexiCubes-semantics) extraction and compared with the reference mesh:
//   - symmetric mean Chamfer distance (area-weighted, point-to-triangle) <= 1 voxel (1/res);
//   - relative surface-area error <= 5 %;
//   - relative face-count difference <= 1 % (the dual extraction follows the reference's
//     tessellation, so the counts should be equal).
// Marching cubes is reported as informational rows (tol Infinity, never failing): its
// tessellation differs by design (spec §7.4) and its area runs ~10 % above the reference's.
// The raw surfaces are compared (no clean-up), as the reference mesh is raw too.
import { readdirSync } from 'node:fs';
import { hasCase, readIndex, readTensor, setGoldenRoot } from '../golden/golden-set.ts';
import { decodeVoxels, MESH_CHANNELS } from '../geometry/decode-voxels.ts';
import { dualMarchingCubes } from '../geometry/dual-marching-cubes.ts';
import { cubeWeights } from '../geometry/dual-weights.ts';
import { marchingCubes } from '../geometry/marching-cubes.ts';
import { chamferDistance } from '../geometry/mesh-distance.ts';
import { surfaceArea } from '../geometry/mesh-measure.ts';
import type { VoxelFeatures } from '../engine/protocol.ts';
import type { VerifyRow } from './types.ts';

const AREA_TOL = 0.05;
const FACE_COUNT_TOL = 0.01;
const KEY_PAIRS: [string, string][] = [
  ['out_coords', 'out_feats'],
  ['mesh_out_coords', 'mesh_out_feats'],
];

export interface MeshCase {
  name: string;
  coordsKey: string;
  featsKey: string;
}

/** Cases of the current golden root that carry mesh features and a reference mesh. */
export function meshCases(goldenDir: string): MeshCase[] {
  setGoldenRoot(goldenDir);
  const out: MeshCase[] = [];
  for (const name of readdirSync(goldenDir).sort()) {
    if (!hasCase(name)) continue;
    const index = readIndex(name);
    if (!index.mesh_vertices || !index.mesh_faces) continue;
    for (const [c, f] of KEY_PAIRS) {
      if (index[c] && index[f] && index[f].shape?.[1] === MESH_CHANNELS) out.push({ name, coordsKey: c, featsKey: f });
    }
  }
  return out;
}

export function readMeshFeatures(c: MeshCase, resolution = 256): VoxelFeatures {
  const coords = readTensor(c.name, c.coordsKey);
  const feats = readTensor(c.name, c.featsKey);
  if (coords.dtype !== 'int32' || coords.shape[1] !== 4) throw new Error(`golden ${c.name}: ${c.coordsKey} must be int32 [M, 4], got ${coords.dtype} [${coords.shape}]`);
  if (feats.dtype !== 'float32' || feats.shape[0] !== coords.shape[0]) {
    throw new Error(`golden ${c.name}: ${c.featsKey} must be float32 [${coords.shape[0]}, ${MESH_CHANNELS}], got ${feats.dtype} [${feats.shape}]`);
  }
  return { resolution, count: coords.shape[0], channels: feats.shape[1], coords: coords.data as Int32Array, feats: feats.data as Float32Array };
}

export function readReferenceMesh(name: string): { positions: Float32Array; indices: Uint32Array } {
  const v = readTensor(name, 'mesh_vertices');
  const f = readTensor(name, 'mesh_faces');
  const indices = f.data instanceof BigInt64Array ? Uint32Array.from(f.data, (x) => Number(x)) : Uint32Array.from(f.data as Int32Array);
  return { positions: v.data as Float32Array, indices };
}

export async function verifyMesh(goldenDir: string): Promise<VerifyRow[]> {
  const rows: VerifyRow[] = [];
  for (const c of meshCases(goldenDir)) {
    const feats = readMeshFeatures(c);
    const field = decodeVoxels(feats);
    const ref = readReferenceMesh(c.name);
    let ss = 0;
    for (const x of ref.positions) ss += x * x;
    const rmsRef = Math.sqrt(ss / Math.max(1, ref.positions.length));
    const aRef = surfaceArea(ref.positions, ref.indices);
    const fRef = ref.indices.length / 3;
    const compare = (label: string, mesh: { positions: Float32Array; indices: Uint32Array }, informational: boolean) => {
      const { chamfer } = chamferDistance(mesh.positions, mesh.indices, ref.positions, ref.indices);
      const chamferTol = informational ? Infinity : 1 / feats.resolution;
      const check = informational ? ('info' as const) : ('tolerance' as const);
      rows.push({ case: c.name, tensor: `${c.featsKey}→${label} chamfer`, maxAbs: chamfer, rmsRef, tol: chamferTol, pass: chamfer <= chamferTol, check });
      const rel = Math.abs(surfaceArea(mesh.positions, mesh.indices) - aRef) / aRef;
      const areaTol = informational ? Infinity : AREA_TOL;
      rows.push({ case: c.name, tensor: `${c.featsKey}→${label} area`, maxAbs: rel, rmsRef: aRef, tol: areaTol, pass: rel <= areaTol, check });
    };
    const dual = dualMarchingCubes(field, cubeWeights(feats));
    compare('mesh (dual)', dual, false);
    const faceRel = Math.abs(dual.indices.length / 3 - fRef) / fRef;
    rows.push({ case: c.name, tensor: `${c.featsKey}→mesh (dual) face count`, maxAbs: faceRel, rmsRef: fRef, tol: FACE_COUNT_TOL, pass: faceRel <= FACE_COUNT_TOL });
    compare('mesh (marching cubes)', marchingCubes(field), true);
  }
  return rows;
}
