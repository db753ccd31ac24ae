// Case tables of the dual extraction (FlexiCubes' Dual Marching Cubes), derived here at load
// time from the cube's face topology rather than copied.
//
// Dual MC puts one vertex per connected surface patch of a cube. The patches are those of marching
// cubes with the face rule of mc-tables.ts: on every face the contour segments separate inside from
// outside corners, and on a face with two diagonal inside corners the inside corners are kept apart
// ("separate inside"). A patch is then a connected component of the graph whose nodes are the
// cube's sign-changing edges and whose links are those face segments (no interior tunnels).
// I checked that this rule reproduces FlexiCubes' dmc_table / num_vd_table for all 256 cases
// (same edge groups; the order of the groups inside a case differs, which only permutes vertices).
//
// The ambiguity fix (FlexiCubes supplementary §1.3, its check_table, cases "C16/C19"): a case whose
// single patch joins the two outside corners across its one ambiguous face, while the complement
// case (same crossing edges, signs swapped) splits into two patches there. If the cube across that
// face is also such a case, the reference replaces the case id by its complement (255 − case), i.e.
// it takes the split grouping; without this the dual quads around that face become non-manifold.
// The derivation below (one patch, complement has two, exactly one ambiguous face, direction =
// that face's outward normal) reproduces the reference check_table for all 256 cases.
//
// Corner c = dx + 2dy + 4dz. Edge numbering is the reference's cube_edges order (spec §7.3 step 6),
// which is also the order of the 12 β weight channels.

/** Corner pairs of the 12 cube edges, reference order. */
export const CUBE_EDGES: readonly (readonly [number, number])[] = [
  [0, 1], [1, 5], [4, 5], [0, 4], [2, 3], [3, 7], [6, 7], [2, 6], [2, 0], [3, 1], [7, 5], [6, 4],
];
export const EDGE_A = Uint8Array.from(CUBE_EDGES, (e) => e[0]);
export const EDGE_B = Uint8Array.from(CUBE_EDGES, (e) => e[1]);

/** Per case × edge: patch (dual vertex) number inside the cube, −1 if the edge does not cross. */
export const EDGE_PATCH = new Int8Array(256 * 12).fill(-1);
/** Number of patches (dual vertices) per case. */
export const PATCH_COUNT = new Uint8Array(256);
/**
 * Per case: −1, or the face (axis·2 + side, side 1 = the +axis face) whose neighbour decides
 * whether the case is inverted to 255 − case (the C16/C19 check).
 */
export const AMBIGUOUS_FACE = new Int8Array(256).fill(-1);

function edgeIndex(a: number, b: number): number {
  const e = CUBE_EDGES.findIndex(([p, q]) => (p === a && q === b) || (p === b && q === a));
  if (e < 0) throw new Error(`dual-tables: corners ${a} and ${b} share no edge`);
  return e;
}

/** Faces as (axis, side, corners in cyclic order); corner i and i+1 share an edge. */
const FACES: { axis: number; side: number; ring: number[] }[] = [];
for (let axis = 0; axis < 3; axis++) {
  const u = (axis + 1) % 3;
  const w = (axis + 2) % 3;
  for (let side = 0; side < 2; side++) {
    const ring = [
      [0, 0], [1, 0], [1, 1], [0, 1],
    ].map(([du, dw]) => (side << axis) | (du << u) | (dw << w));
    FACES.push({ axis, side, ring });
  }
}

const inside = (cubeCase: number, c: number) => (cubeCase >> c) & 1;

function isAmbiguous(cubeCase: number, ring: number[]): boolean {
  const s = ring.map((c) => inside(cubeCase, c));
  return s[0] === s[2] && s[1] === s[3] && s[0] !== s[1];
}

/** Patch number per edge (−1 where no crossing) and the patch count. */
function patches(cubeCase: number): { patchOf: number[]; count: number } {
  const parent = Array.from({ length: 12 }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
  const join = (a: number, b: number) => {
    parent[find(a)] = find(b);
  };
  for (const { ring } of FACES) {
    const edges = ring.map((c, i) => edgeIndex(c, ring[(i + 1) % 4]));
    const crossing = [0, 1, 2, 3].filter((i) => inside(cubeCase, ring[i]) !== inside(cubeCase, ring[(i + 1) % 4]));
    if (crossing.length === 2) join(edges[crossing[0]], edges[crossing[1]]);
    else if (crossing.length === 4) {
      // Separate inside: the two edges around each inside corner form one segment.
      for (let i = 0; i < 4; i++) if (inside(cubeCase, ring[i])) join(edges[(i + 3) % 4], edges[i]);
    }
  }
  const patchOf = new Array<number>(12).fill(-1);
  const rootPatch = new Map<number, number>();
  for (let e = 0; e < 12; e++) {
    if (inside(cubeCase, EDGE_A[e]) === inside(cubeCase, EDGE_B[e])) continue;
    const r = find(e);
    if (!rootPatch.has(r)) rootPatch.set(r, rootPatch.size);
    patchOf[e] = rootPatch.get(r)!;
  }
  return { patchOf, count: rootPatch.size };
}

{
  const counts = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    const { patchOf, count } = patches(c);
    counts[c] = count;
    PATCH_COUNT[c] = count;
    for (let e = 0; e < 12; e++) EDGE_PATCH[c * 12 + e] = patchOf[e];
  }
  for (let c = 0; c < 256; c++) {
    const ambiguous = FACES.map((f, i) => (isAmbiguous(c, f.ring) ? i : -1)).filter((i) => i >= 0);
    if (counts[c] === 1 && counts[255 - c] === 2 && ambiguous.length === 1) {
      const f = FACES[ambiguous[0]];
      AMBIGUOUS_FACE[c] = f.axis * 2 + f.side;
    }
  }
}
