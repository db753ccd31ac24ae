// Area-weighted vertex normals (unnormalised face normals summed per vertex).

export function vertexNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const V = positions.length / 3;
  const acc = new Float64Array(V * 3);
  const p = positions;
  for (let f = 0; f < indices.length; f += 3) {
    const a = indices[f];
    const b = indices[f + 1];
    const c = indices[f + 2];
    const ux = p[3 * b] - p[3 * a];
    const uy = p[3 * b + 1] - p[3 * a + 1];
    const uz = p[3 * b + 2] - p[3 * a + 2];
    const vx = p[3 * c] - p[3 * a];
    const vy = p[3 * c + 1] - p[3 * a + 1];
    const vz = p[3 * c + 2] - p[3 * a + 2];
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    for (const v of [a, b, c]) {
      acc[3 * v] += nx;
      acc[3 * v + 1] += ny;
      acc[3 * v + 2] += nz;
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
