// Area-weighted vertex normals (unnormalised face normals summed per vertex).
import { faceCross } from './face-cross.ts';

export function vertexNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const V = positions.length / 3;
  const acc = new Float64Array(V * 3);
  const n = new Float64Array(3);
  for (let f = 0; f < indices.length; f += 3) {
    faceCross(positions, indices[f], indices[f + 1], indices[f + 2], n);
    for (let k = 0; k < 3; k++) {
      const v = indices[f + k];
      acc[3 * v] += n[0];
      acc[3 * v + 1] += n[1];
      acc[3 * v + 2] += n[2];
    }
  }
  const out = new Float32Array(V * 3);
  for (let v = 0; v < V; v++) {
    const x = acc[3 * v];
    const y = acc[3 * v + 1];
    const z = acc[3 * v + 2];
    const len = Math.hypot(x, y, z);
    // An isolated vertex gets +z (glTF requires unit-length normals).
    if (len === 0) out[3 * v + 2] = 1;
    else {
      out[3 * v] = x / len;
      out[3 * v + 1] = y / len;
      out[3 * v + 2] = z / len;
    }
  }
  return out;
}
