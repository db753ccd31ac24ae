// The unnormalised normal of a triangle: u × v with u = p_b − p_a, v = p_c − p_a (float64).
// Its length is twice the triangle's area; it points by the right-hand rule over (a, b, c).

/** Writes the cross product of triangle (a, b, c) (vertex numbers into xyz `p`) into out[0..2]. */
export function faceCross(p: Float32Array, a: number, b: number, c: number, out: Float64Array): Float64Array {
  const ux = p[3 * b] - p[3 * a];
  const uy = p[3 * b + 1] - p[3 * a + 1];
  const uz = p[3 * b + 2] - p[3 * a + 2];
  const vx = p[3 * c] - p[3 * a];
  const vy = p[3 * c + 1] - p[3 * a + 1];
  const vz = p[3 * c + 2] - p[3 * a + 2];
  out[0] = uy * vz - uz * vy;
  out[1] = uz * vx - ux * vz;
  out[2] = ux * vy - uy * vx;
  return out;
}
