// Dual marching cubes over the sparse vertex field, following the reference FlexiCubes
// extraction (spec §7.3 steps 5–8) — the method whose output the reference GLB path uses.
//
// Pass 1 (vertices): every cube touching a vertex with sdf < 0 is classified (inside ⇔ sdf < 0;
// only such cubes can be surface cubes, as untouched vertices default to sdf +1, so no dense
// res³ loop is needed). A C16/C19 case whose neighbour across its ambiguous face is also one is
// replaced by its complement (dual-tables.ts). Each patch of the case gets one dual vertex
//   v = Σ_e β_e·u_e / Σ_e β_e,  u_e = (p_a·(s_b·α_b) − p_b·(s_a·α_a)) / (s_b·α_b − s_a·α_a)
// over the patch's crossing edges e = (a, b), with the cube's own β/α (dual-weights.ts) and the
// deformed corner positions p; colours use the same weights on the corner colours.
//
// Pass 2 (faces): every sign-changing lattice edge shared by 4 cubes (edges in the grid's outer
// faces are skipped, as in the reference) gives a quad of the 4 cubes' dual vertices of the patch
// containing that edge. Slot k is the k-th cube by increasing linear cube id; the quad is taken in
// slot order [0,1,3,2] when the edge's first endpoint (cube_edges order: lower end of x and z
// edges, upper end of y edges) is outside, else [2,3,1,0], which makes normals point toward +SDF.
// It is split along 0–2 when γ0·γ2 > γ1·γ3, else along 1–3 (γ of the cube owning each vertex).
//
// Differences from the reference, by design:
// - the reference flips on s_first > 0 and so misorients a quad whose first endpoint has sdf
//   exactly 0; here "outside" (sdf ≥ 0) is used, consistent with the crossing test;
// - dual vertices are numbered in visiting order (the reference groups cubes by patch count), and
//   faces come in edge order (the reference lists flipped quads first): same mesh, permuted;
// - arithmetic is float64 (the reference's is float32), outputs are float32.
import { DEFAULT_COLOR, DEFAULT_SDF, type VertexField } from './decode-voxels.ts';
import { AMBIGUOUS_FACE, EDGE_A, EDGE_B, EDGE_PATCH, PATCH_COUNT } from './dual-tables.ts';
import { activatedCubeWeights, type CubeWeights } from './dual-weights.ts';
import { GrowableF32, GrowableU32 } from './growable.ts';
import type { IntHashMap } from './int-hash-map.ts';
import { CandidateCubes } from './candidate-cubes.ts';
import type { ColoredMesh } from './types.ts';
import { throwIfAborted, yieldToEventLoop } from './yield.ts';

export interface DualMarchingCubesOptions {
  /** Seed vertices (pass 1) or cubes (pass 2) processed between event-loop yields. */
  chunkSize?: number;
  signal?: AbortSignal;
  /** Called after each chunk: pass 1 counts seed vertices, pass 2 counts cubes. */
  onProgress?: (done: number, total: number, pass: 'vertices' | 'faces') => void;
}

export interface DualMesh extends ColoredMesh {
  /** Dual vertices that belong to no face (patches touching only grid-boundary edges); kept, as the reference does. */
  unreferencedVertices: number;
}

/**
 * Quad edges owned by a cube: the three lattice edges at its corner 7, for which it is the cube of
 * lowest linear id (slot 0) among the 4 sharing the edge. Per axis (x, y, z), 4 slots in linear-id
 * order × (dx, dy, dz offset from the owner, local cube_edges index of the edge in that cube).
 */
// x edge (6,7): cubes (i, j-1..j, k-1..k); y edge (7,5): cubes (i-1..i, j, k-1..k);
// z edge (3,7): cubes (i-1..i, j-1..j, k).
const OWNED = Int8Array.from([
  0, 0, 0, 6, /**/ 0, 0, 1, 4, /**/ 0, 1, 0, 2, /**/ 0, 1, 1, 0,
  0, 0, 0, 10, /**/ 0, 0, 1, 9, /**/ 1, 0, 0, 11, /**/ 1, 0, 1, 8,
  0, 0, 0, 5, /**/ 0, 1, 0, 1, /**/ 1, 0, 0, 7, /**/ 1, 1, 0, 3,
]);

class DualRun {
  private readonly f: VertexField;
  private readonly w: CubeWeights;
  private readonly res: number;
  private readonly n1: number;
  private readonly candidates: CandidateCubes;
  /** cube id -> cube slot, for every classified cube */
  private readonly cubes: IntHashMap;
  /** per cube slot: sign case (bit c ⇔ corner c inside) */
  private signCase = new Uint8Array(1 << 14);
  /** per cube slot: case used for the patch tables (sign case or its complement) */
  private tableCase = new Uint8Array(1 << 14);
  /** per cube slot: id of its first dual vertex */
  private vdBase = new Int32Array(1 << 14);
  private readonly pos = new GrowableF32(1 << 16);
  private readonly col = new GrowableF32(1 << 16);
  private readonly gamma = new GrowableF32(1 << 14);
  private readonly idx = new GrowableU32(1 << 16);
  readonly seeds: Int32Array;
  // Scratch for one cube.
  private readonly cSdf = new Float64Array(8);
  private readonly cSlot = new Int32Array(8);
  private readonly cPos = new Float64Array(24);
  private readonly cCol = new Float64Array(24);
  private readonly wts = new Float64Array(21);
  private readonly acc = new Float64Array(4 * 7);
  private readonly quad = new Int32Array(4);

  constructor(field: VertexField, weights: CubeWeights) {
    if (weights.res !== field.res) throw new Error(`dual marching cubes: weights resolution ${weights.res} != field resolution ${field.res}`);
    this.f = field;
    this.w = weights;
    this.res = field.res;
    this.n1 = field.res + 1;
    this.candidates = new CandidateCubes(field);
    this.seeds = this.candidates.seeds;
    this.cubes = this.candidates.slots;
  }

  get cubeCount(): number {
    return this.cubes.size;
  }

  private cornerSdf(i: number, j: number, k: number): number {
    const s = this.f.index.get((i * this.n1 + j) * this.n1 + k);
    return s >= 0 ? this.f.sdf[s] : DEFAULT_SDF;
  }

  private signCaseAt(ci: number, cj: number, ck: number): number {
    let c = 0;
    for (let q = 0; q < 8; q++) if (this.cornerSdf(ci + (q & 1), cj + ((q >> 1) & 1), ck + ((q >> 2) & 1)) < 0) c |= 1 << q;
    return c;
  }

  /** Pass 1 over seeds [from, to). */
  vertices(from: number, to: number): void {
    this.candidates.walk(from, to, (slot, ci, cj, ck) => this.cube(slot, ci, cj, ck));
  }

  private cube(slot: number, ci: number, cj: number, ck: number): void {
    if (slot >= this.signCase.length) this.growCubes();
    const { f, res, n1 } = this;
    const slots = this.cSlot;
    let sc = 0;
    for (let c = 0; c < 8; c++) {
      const s = f.index.get(((ci + (c & 1)) * n1 + (cj + ((c >> 1) & 1))) * n1 + (ck + ((c >> 2) & 1)));
      const sdf = s >= 0 ? f.sdf[s] : DEFAULT_SDF;
      slots[c] = s;
      this.cSdf[c] = sdf;
      if (sdf < 0) sc |= 1 << c;
    }
    let tc = sc;
    const face = AMBIGUOUS_FACE[sc];
    if (face >= 0) {
      const axis = face >> 1;
      const step = face & 1 ? 1 : -1;
      const ni = ci + (axis === 0 ? step : 0);
      const nj = cj + (axis === 1 ? step : 0);
      const nk = ck + (axis === 2 ? step : 0);
      if (ni >= 0 && nj >= 0 && nk >= 0 && ni < res && nj < res && nk < res && AMBIGUOUS_FACE[this.signCaseAt(ni, nj, nk)] >= 0) {
        tc = 255 - sc;
      }
    }
    this.signCase[slot] = sc;
    this.tableCase[slot] = tc;
    const nPatch = PATCH_COUNT[tc];
    const base = this.pos.length / 3;
    this.vdBase[slot] = base;
    if (nPatch === 0) return;

    for (let c = 0; c < 8; c++) {
      const s = slots[c];
      for (let a = 0; a < 3; a++) {
        const x = a === 0 ? ci + (c & 1) : a === 1 ? cj + ((c >> 1) & 1) : ck + ((c >> 2) & 1);
        this.cPos[3 * c + a] = s >= 0 ? f.positions[3 * s + a] : x / res - 0.5;
        this.cCol[3 * c + a] = s >= 0 ? f.colors[3 * s + a] : DEFAULT_COLOR;
      }
    }
    const w = this.wts;
    activatedCubeWeights(this.w, (ci * res + cj) * res + ck, w);
    // acc per patch: β-weighted position (3), β-weighted colour (3), Σβ
    const acc = this.acc;
    acc.fill(0, 0, 7 * nPatch);
    for (let e = 0; e < 12; e++) {
      const p = EDGE_PATCH[tc * 12 + e];
      if (p < 0) continue;
      const a = EDGE_A[e];
      const b = EDGE_B[e];
      const wa = this.cSdf[a] * w[12 + a];
      const wb = this.cSdf[b] * w[12 + b];
      const inv = 1 / (wb - wa);
      const beta = w[e];
      const o = 7 * p;
      for (let ch = 0; ch < 3; ch++) {
        acc[o + ch] += beta * (this.cPos[3 * a + ch] * wb - this.cPos[3 * b + ch] * wa) * inv;
        acc[o + 3 + ch] += beta * (this.cCol[3 * a + ch] * wb - this.cCol[3 * b + ch] * wa) * inv;
      }
      acc[o + 6] += beta;
    }
    this.pos.reserve(3 * nPatch);
    this.col.reserve(3 * nPatch);
    this.gamma.reserve(nPatch);
    for (let p = 0; p < nPatch; p++) {
      const o = 7 * p;
      const inv = 1 / acc[o + 6];
      for (let ch = 0; ch < 3; ch++) {
        this.pos.data[3 * (base + p) + ch] = acc[o + ch] * inv;
        this.col.data[3 * (base + p) + ch] = acc[o + 3 + ch] * inv;
      }
      this.gamma.data[base + p] = w[20];
    }
    this.pos.length = this.col.length = 3 * (base + nPatch);
    this.gamma.length = base + nPatch;
  }

  private growCubes(): void {
    const n = this.signCase.length * 2;
    const sc = new Uint8Array(n);
    sc.set(this.signCase);
    this.signCase = sc;
    const tc = new Uint8Array(n);
    tc.set(this.tableCase);
    this.tableCase = tc;
    const vb = new Int32Array(n);
    vb.set(this.vdBase);
    this.vdBase = vb;
  }

  /** Pass 2 over cube slots [from, to); needs pass 1 to be complete. */
  faces(from: number, to: number): void {
    const { res } = this;
    const ids = this.cubes.keyList;
    const vd = this.quad;
    for (let slot = from; slot < to; slot++) {
      const sc = this.signCase[slot];
      if (sc === 0 || sc === 255) continue;
      const id = ids[slot];
      const ck = id % res;
      const cj = ((id - ck) / res) % res;
      const ci = (id - ck - cj * res) / (res * res);
      for (let axis = 0; axis < 3; axis++) {
        const o = 16 * axis;
        const e0 = OWNED[o + 3];
        const insideA = (sc >> EDGE_A[e0]) & 1;
        if (insideA === ((sc >> EDGE_B[e0]) & 1)) continue;
        // The other two axes must stay inside the grid, else the edge lies in an outer face.
        if ((axis !== 0 && ci + 1 >= res) || (axis !== 1 && cj + 1 >= res) || (axis !== 2 && ck + 1 >= res)) continue;
        for (let q = 0; q < 4; q++) {
          const s = q === 0 ? slot : this.cubes.get(((ci + OWNED[o + 4 * q]) * res + (cj + OWNED[o + 4 * q + 1])) * res + (ck + OWNED[o + 4 * q + 2]));
          if (s < 0) throw new Error('dual marching cubes: a cube next to a crossing edge was not classified (internal error)');
          vd[q] = this.vdBase[s] + EDGE_PATCH[this.tableCase[s] * 12 + OWNED[o + 4 * q + 3]];
        }
        // Cyclic order around the edge is slots 0,1,3,2; reversed when the first endpoint is inside.
        const q0 = insideA ? vd[2] : vd[0];
        const q1 = insideA ? vd[3] : vd[1];
        const q2 = insideA ? vd[1] : vd[3];
        const q3 = insideA ? vd[0] : vd[2];
        const g = this.gamma.data;
        this.idx.reserve(6);
        const d = this.idx.data;
        const L = this.idx.length;
        if (g[q0] * g[q2] > g[q1] * g[q3]) {
          d[L] = q0; d[L + 1] = q1; d[L + 2] = q2;
          d[L + 3] = q0; d[L + 4] = q2; d[L + 5] = q3;
        } else {
          d[L] = q0; d[L + 1] = q1; d[L + 2] = q3;
          d[L + 3] = q3; d[L + 4] = q1; d[L + 5] = q2;
        }
        this.idx.length = L + 6;
      }
    }
  }

  result(): DualMesh {
    const positions = this.pos.toArray();
    const indices = this.idx.toArray();
    const used = new Uint8Array(positions.length / 3);
    for (let t = 0; t < indices.length; t++) used[indices[t]] = 1;
    let unreferenced = 0;
    for (let v = 0; v < used.length; v++) unreferenced += 1 - used[v];
    return { positions, colors: this.col.toArray(), indices, unreferencedVertices: unreferenced };
  }
}

/** Synchronous dual marching cubes (tests, Node, workers). */
export function dualMarchingCubes(field: VertexField, weights: CubeWeights): DualMesh {
  const run = new DualRun(field, weights);
  run.vertices(0, run.seeds.length);
  run.faces(0, run.cubeCount);
  return run.result();
}

/** Same result as dualMarchingCubes, yielding to the event loop every chunkSize seeds / cubes. */
export async function dualMarchingCubesAsync(
  field: VertexField,
  weights: CubeWeights,
  opts: DualMarchingCubesOptions = {},
): Promise<DualMesh> {
  const chunk = Math.max(1, opts.chunkSize ?? 20_000);
  const run = new DualRun(field, weights);
  const seeds = run.seeds.length;
  for (let from = 0; from < seeds; from += chunk) {
    throwIfAborted(opts.signal);
    run.vertices(from, Math.min(seeds, from + chunk));
    opts.onProgress?.(Math.min(seeds, from + chunk), seeds, 'vertices');
    await yieldToEventLoop();
  }
  const cubes = run.cubeCount;
  for (let from = 0; from < cubes; from += chunk) {
    throwIfAborted(opts.signal);
    run.faces(from, Math.min(cubes, from + chunk));
    opts.onProgress?.(Math.min(cubes, from + chunk), cubes, 'faces');
    await yieldToEventLoop();
  }
  throwIfAborted(opts.signal);
  return run.result();
}
