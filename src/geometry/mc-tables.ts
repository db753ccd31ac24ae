// Marching-cubes case tables, generated here (not copied) from the cube's face topology:
// on every cube face the contour segments separate inside from outside corners; on a face
// with two diagonal inside corners the inside corners are kept apart ("separate inside").
// The rule depends only on the four corner signs of the face, so the two cubes sharing a face
// always agree and the surface is closed and 2-manifold. Segments chain into loops that are
// fan-triangulated, oriented so that normals point toward +SDF (outside).
//
// Cube layout: corner c = dx + 2dy + 4dz. Edge e = axis·4 + r; its lower corner is
// EDGE_LOWER[e] and the upper one EDGE_LOWER[e] + (1 << axis).

export const EDGE_AXIS = new Uint8Array(12);
export const EDGE_LOWER = new Uint8Array(12);
export const EDGE_UPPER = new Uint8Array(12);

{
  for (let axis = 0; axis < 3; axis++) {
    let r = 0;
    for (let c = 0; c < 8; c++) {
      if ((c >> axis) & 1) continue;
      const e = axis * 4 + r++;
      EDGE_AXIS[e] = axis;
      EDGE_LOWER[e] = c;
      EDGE_UPPER[e] = c + (1 << axis);
    }
  }
}

function edgeBetween(a: number, b: number): number {
  for (let e = 0; e < 12; e++) {
    if ((EDGE_LOWER[e] === a && EDGE_UPPER[e] === b) || (EDGE_LOWER[e] === b && EDGE_UPPER[e] === a)) return e;
  }
  throw new Error(`mc-tables: corners ${a} and ${b} share no edge`);
}

/** Corners of each face, counter-clockwise seen from outside the cube. */
function faceCorners(): number[][] {
  const faces: number[][] = [];
  for (let a = 0; a < 3; a++) {
    const u = (a + 1) % 3;
    const w = (a + 2) % 3;
    for (let side = 0; side < 2; side++) {
      const quad = [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ].map(([pu, pw]) => (side << a) | (pu << u) | (pw << w));
      // (e_u, e_w, e_a) is right-handed: this order is CCW about +e_a, i.e. seen from outside
      // on the side-1 face; the side-0 face looks along −e_a, so reverse it.
      faces.push(side === 1 ? quad : quad.reverse());
    }
  }
  return faces;
}

function buildCase(cubeCase: number, faces: number[][]): number[] {
  const inside = (c: number) => ((cubeCase >> c) & 1) === 1;
  const next = new Int8Array(12).fill(-1);
  for (const q of faces) {
    for (let i = 0; i < 4; i++) {
      const prev = q[(i + 3) % 4];
      if (!inside(q[i]) || inside(prev)) continue;
      // q[i] starts a run of inside corners (CCW); find where it ends.
      let j = i;
      while (inside(q[(j + 1) % 4])) j = (j + 1) % 4;
      const entry = edgeBetween(prev, q[i]);
      const exit = edgeBetween(q[j], q[(j + 1) % 4]);
      if (next[exit] !== -1) throw new Error(`mc-tables: case ${cubeCase}: edge ${exit} leaves twice`);
      next[exit] = entry;
    }
  }
  const tris: number[] = [];
  const used = new Uint8Array(12);
  for (let start = 0; start < 12; start++) {
    if (next[start] === -1 || used[start]) continue;
    const loop: number[] = [];
    for (let e = start; !used[e]; e = next[e]) {
      if (next[e] === -1) throw new Error(`mc-tables: case ${cubeCase}: open contour at edge ${e}`);
      used[e] = 1;
      loop.push(e);
    }
    // The loop runs CCW around the inside corners seen from the inside side, so its
    // right-hand normal points toward −SDF; emit it reversed to face +SDF.
    for (let k = 1; k + 1 < loop.length; k++) tris.push(loop[0], loop[k + 1], loop[k]);
  }
  return tris;
}

/** Triangles of case c are TRI_EDGES[TRI_OFFSET[c] .. TRI_OFFSET[c + 1]), 3 edge ids each. */
export const TRI_OFFSET = new Uint16Array(257);
export let TRI_EDGES: Uint8Array;

{
  const faces = faceCorners();
  const all: number[] = [];
  for (let c = 0; c < 256; c++) {
    TRI_OFFSET[c] = all.length;
    all.push(...buildCase(c, faces));
  }
  TRI_OFFSET[256] = all.length;
  TRI_EDGES = Uint8Array.from(all);
}
