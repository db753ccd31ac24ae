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

function buildCase(cubeCase: number, faces: number[][], faceMasks: Uint8Array): number[] {
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
    const t = triangulateLoop(loop, faceMasks);
    if (!t) throw new Error(`mc-tables: case ${cubeCase}: no triangulation of loop [${loop}] avoids face diagonals`);
    for (let k = 0; k < t.length; k += 3) tris.push(t[k], t[k + 2], t[k + 1]);
  }
  return tris;
}

/** Bit f set if edge e lies on cube face f. */
function edgeFaceMasks(faces: number[][]): Uint8Array {
  const m = new Uint8Array(12);
  faces.forEach((q, f) => {
    for (let i = 0; i < 4; i++) m[edgeBetween(q[i], q[(i + 1) % 4])] |= 1 << f;
  });
  return m;
}

/**
 * Triangulate a loop of edge ids (as a polygon, keeping its order) without any diagonal
 * between two edges on a common cube face: the neighbouring cube sees the same face and could
 * use the same pair, which would put one mesh edge in four triangles (non-manifold).
 * Diagonals through the cube's interior belong to this cube alone.
 */
function triangulateLoop(loop: number[], faceMask: Uint8Array): number[] | null {
  const ok = (a: number, b: number) => (faceMask[a] & faceMask[b]) === 0;
  const solve = (poly: number[]): number[] | null => {
    if (poly.length === 3) return poly.slice();
    const n = poly.length;
    const a = poly[0];
    const b = poly[n - 1];
    // Triangle (a, poly[j], b) on the closing side; both new sides must be allowed diagonals.
    for (let j = 1; j < n - 1; j++) {
      if (j > 1 && !ok(a, poly[j])) continue;
      if (j < n - 2 && !ok(poly[j], b)) continue;
      const left = j > 1 ? solve(poly.slice(0, j + 1)) : [];
      if (!left) continue;
      const right = j < n - 2 ? solve(poly.slice(j)) : [];
      if (!right) continue;
      return [...left, a, poly[j], b, ...right];
    }
    return null;
  };
  return solve(loop);
}

/** Triangles of case c are TRI_EDGES[TRI_OFFSET[c] .. TRI_OFFSET[c + 1]), 3 edge ids each. */
export const TRI_OFFSET = new Uint16Array(257);
export let TRI_EDGES: Uint8Array;

{
  const faces = faceCorners();
  const masks = edgeFaceMasks(faces);
  const all: number[] = [];
  for (let c = 0; c < 256; c++) {
    TRI_OFFSET[c] = all.length;
    all.push(...buildCase(c, faces, masks));
  }
  TRI_OFFSET[256] = all.length;
  TRI_EDGES = Uint8Array.from(all);
}
