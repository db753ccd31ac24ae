// Stage-1 → stage-2 coords: argwhere(ss_decoder logits > 0) in (b, x, y, z) lexicographic order
// (z fastest), x being tensor axis 2 (networks.md §2.1). The SLat noise rows follow this order.

import { SparseCoordsError } from './coords.ts';

/** logits [B,1,X,Y,Z] → coords Int32Array [N,4] of the voxels with logit > 0. */
export function occupancyToCoords(logits: Float32Array, dims: readonly number[]): Int32Array {
  if (dims.length !== 5 || dims[1] !== 1) throw new SparseCoordsError(`occupancy logits: dims must be [B,1,X,Y,Z], got [${dims.join(',')}]`);
  const [B, , X, Y, Z] = dims;
  if (logits.length !== B * X * Y * Z) throw new SparseCoordsError(`occupancy logits: ${logits.length} values for dims [${dims.join(',')}]`);
  let n = 0;
  for (let i = 0; i < logits.length; i++) if (logits[i] > 0) n++;
  const out = new Int32Array(n * 4);
  let r = 0;
  let i = 0;
  for (let b = 0; b < B; b++) for (let x = 0; x < X; x++) for (let y = 0; y < Y; y++) for (let z = 0; z < Z; z++, i++) {
    if (logits[i] > 0) {
      out[r++] = b;
      out[r++] = x;
      out[r++] = y;
      out[r++] = z;
    }
  }
  return out;
}
