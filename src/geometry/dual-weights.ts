// Per-cube FlexiCubes weights (spec §7.2 channels 32–52, §7.3 step 6). The reference scatters
// the 21 raw weight channels of the active voxels into a dense res³ grid that is 0 elsewhere, and
// activates them on every surface cube; a surface cube that is not an active voxel therefore gets
// β = α = tanh(0)·0.99 + 1 = 1 and γ = sigmoid(0)·0.99 + 0.005 = 0.5. Here only a hash map from
// cube id to voxel row is built; the activations are evaluated per surface cube on demand.
import type { VoxelFeatures } from '../engine/protocol.ts';
import { validateMeshFeatures } from './decode-voxels.ts';
import { IntHashMap } from './int-hash-map.ts';

export const WEIGHT_OFFSET = 32;
/** FlexiCubes weight_scale */
const SCALE = 0.99;

export interface CubeWeights {
  res: number;
  /** linear cube id (x·res + y)·res + z -> voxel row */
  index: IntHashMap;
  rows: Int32Array;
  feats: Float32Array;
  channels: number;
}

export function cubeWeights(f: VoxelFeatures): CubeWeights {
  validateMeshFeatures(f);
  const res = f.resolution;
  const index = new IntHashMap(f.count);
  const rows = new Int32Array(f.count);
  for (let v = 0; v < f.count; v++) {
    const x = f.coords[4 * v + 1];
    const y = f.coords[4 * v + 2];
    const z = f.coords[4 * v + 3];
    if (x < 0 || y < 0 || z < 0 || x >= res || y >= res || z >= res) {
      throw new Error(`mesh features: coords[${v}] = (${x}, ${y}, ${z}) outside [0, ${res - 1}]³`);
    }
    // A repeated coordinate keeps its last row, as the reference's dense scatter does.
    rows[index.getOrInsert((x * res + y) * res + z)] = v;
  }
  return { res, index, rows, feats: f.feats, channels: f.channels };
}

/**
 * Activated weights of one cube into out: β[0..11] (per cube_edges edge), α[12..19] (per corner),
 * γ at 20.
 */
export function activatedCubeWeights(w: CubeWeights, cubeId: number, out: Float64Array): void {
  const slot = w.index.get(cubeId);
  if (slot < 0) {
    out.fill(1, 0, 20);
    out[20] = 0.5 * SCALE + (1 - SCALE) / 2;
    return;
  }
  const o = w.rows[slot] * w.channels + WEIGHT_OFFSET;
  const feats = w.feats;
  for (let k = 0; k < 20; k++) out[k] = Math.tanh(feats[o + k]) * SCALE + 1;
  out[20] = SCALE / (1 + Math.exp(-feats[o + 20])) + (1 - SCALE) / 2;
}
