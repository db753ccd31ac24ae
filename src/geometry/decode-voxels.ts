// Mesh-decoder features (101 channels per voxel at resolution res) -> per-lattice-vertex field
// on the (res+1)³ grid, following SparseFeatures2Mesh (spec §7.3 steps 1–4): sdf bias −1/res,
// mean over all cubes sharing a vertex, deformed positions, sigmoid colours.
// Only vertices touched by some voxel are stored (hash map); all others implicitly hold the
// reference's dense defaults (sdf +1, deform 0, colour logits 0).
import type { VoxelFeatures } from '../engine/protocol.ts';
import { IntHashMap } from './int-hash-map.ts';

export const MESH_CHANNELS = 101;
const DEFORM_OFFSET = 8;
const COLOR_OFFSET = 53;
const COLOR_STRIDE = 6;

/** Attributes of the vertices that at least one voxel touches. */
export interface VertexField {
  res: number;
  /** Number of stored vertices. */
  count: number;
  /** linear lattice id (i·(res+1) + j)·(res+1) + k -> slot */
  index: IntHashMap;
  /** slot -> linear lattice id */
  ids: Int32Array;
  sdf: Float32Array;
  /** deformed position, 3 per slot, reference frame (Z-up, ≈[−0.5, 0.5]³) */
  positions: Float32Array;
  /** sigmoid(mean logits) RGB, 3 per slot */
  colors: Float32Array;
}

/** Defaults for a lattice vertex that no voxel touches (the reference's dense init). */
export const DEFAULT_SDF = 1;
export const DEFAULT_COLOR = 0.5; // sigmoid(0)

export function validateMeshFeatures(f: VoxelFeatures): void {
  if (f.channels !== MESH_CHANNELS) {
    throw new Error(`mesh features: channels must be ${MESH_CHANNELS} (sdf 8, deform 24, weights 21, colour 48), got ${f.channels}`);
  }
  if (!Number.isInteger(f.resolution) || f.resolution < 1 || f.resolution > 1024) {
    throw new Error(`mesh features: resolution must be an integer in 1..1024, got ${f.resolution}`);
  }
  if (f.coords.length !== f.count * 4) {
    throw new Error(`mesh features: coords length ${f.coords.length} != count ${f.count} × 4`);
  }
  if (f.feats.length !== f.count * f.channels) {
    throw new Error(`mesh features: feats length ${f.feats.length} != count ${f.count} × channels ${f.channels}`);
  }
}


/** Sparse vertex field of the mesh decoder output (spec §7.3 steps 1–4). */
export function decodeVoxels(f: VoxelFeatures): VertexField {
  validateMeshFeatures(f);
  const res = f.resolution;
  const n1 = res + 1;
  const { coords, feats, count } = f;
  const C = f.channels;
  const index = new IntHashMap(count * 2);
  // Accumulators grow with the map; sized generously then trimmed.
  let cap = Math.max(1024, count * 2);
  let sdfSum = new Float64Array(cap);
  let defSum = new Float64Array(cap * 3);
  let colSum = new Float64Array(cap * 3);
  let hits = new Uint16Array(cap);
  const bias = -1 / res;

  for (let v = 0; v < count; v++) {
    const b = coords[v * 4];
    const x = coords[v * 4 + 1];
    const y = coords[v * 4 + 2];
    const z = coords[v * 4 + 3];
    if (b !== 0) throw new Error(`mesh features: coords[${v}] batch index is ${b}; only batch 0 (one mesh) is supported`);
    if (x < 0 || y < 0 || z < 0 || x >= res || y >= res || z >= res) {
      throw new Error(`mesh features: coords[${v}] = (${x}, ${y}, ${z}) outside [0, ${res - 1}]³`);
    }
    const fo = v * C;
    for (let c = 0; c < 8; c++) {
      const dx = c & 1;
      const dy = (c >> 1) & 1;
      const dz = (c >> 2) & 1;
      const id = ((x + dx) * n1 + (y + dy)) * n1 + (z + dz);
      const s = index.getOrInsert(id);
      if (s >= cap) {
        cap *= 2;
        sdfSum = growF64(sdfSum, cap);
        defSum = growF64(defSum, cap * 3);
        colSum = growF64(colSum, cap * 3);
        const h = new Uint16Array(cap);
        h.set(hits);
        hits = h;
      }
      sdfSum[s] += feats[fo + c] + bias;
      const d = fo + DEFORM_OFFSET + 3 * c;
      defSum[3 * s] += feats[d];
      defSum[3 * s + 1] += feats[d + 1];
      defSum[3 * s + 2] += feats[d + 2];
      const k = fo + COLOR_OFFSET + COLOR_STRIDE * c;
      colSum[3 * s] += feats[k];
      colSum[3 * s + 1] += feats[k + 1];
      colSum[3 * s + 2] += feats[k + 2];
      hits[s]++;
    }
  }

  const n = index.size;
  const sdf = new Float32Array(n);
  const positions = new Float32Array(n * 3);
  const colors = new Float32Array(n * 3);
  const ids = index.keyList.slice(0, n);
  const deformScale = (1 - 1e-8) / (2 * res);
  for (let s = 0; s < n; s++) {
    const inv = 1 / hits[s];
    sdf[s] = sdfSum[s] * inv;
    const id = ids[s];
    const k = id % n1;
    const j = ((id - k) / n1) % n1;
    const i = (id - k - j * n1) / (n1 * n1);
    positions[3 * s] = i / res - 0.5 + deformScale * Math.tanh(defSum[3 * s] * inv);
    positions[3 * s + 1] = j / res - 0.5 + deformScale * Math.tanh(defSum[3 * s + 1] * inv);
    positions[3 * s + 2] = k / res - 0.5 + deformScale * Math.tanh(defSum[3 * s + 2] * inv);
    for (let ch = 0; ch < 3; ch++) colors[3 * s + ch] = 1 / (1 + Math.exp(-colSum[3 * s + ch] * inv));
  }
  return { res, count: n, index, ids, sdf, positions, colors };
}

function growF64(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
