// Marching cubes over the sparse vertex field of decode-voxels.ts (spec §7.4).
// - iso 0, inside ⇔ sdf < 0 (sdf == 0 counts as outside, as in the reference);
// - only cubes that touch a stored vertex with sdf < 0 are visited. The spec's candidate set
//   (active voxels dilated by 3×3×3) is a superset; the cubes it adds without a negative corner
//   have all corners ≥ 0 and produce nothing, so the output is the same;
// - edge vertices are the linear crossing between the DEFORMED endpoint positions, colours
//   interpolated with the same weight, welded by lattice edge id;
// - triangles with a vertex on an edge lying in the grid's outer faces are skipped, mirroring
//   FlexiCubes, which makes faces only for edges shared by 4 cubes.
import { DEFAULT_COLOR, DEFAULT_SDF, type VertexField } from './decode-voxels.ts';
import { EDGE_AXIS, EDGE_LOWER, EDGE_UPPER, TRI_EDGES, TRI_OFFSET } from './mc-tables.ts';
import { GrowableF32, GrowableU32 } from './growable.ts';
import { IntHashMap } from './int-hash-map.ts';
import { CandidateCubes } from './candidate-cubes.ts';
import type { ColoredMesh } from './types.ts';
import { throwIfAborted, yieldToEventLoop } from './yield.ts';

export interface MarchingCubesOptions {
  /** Seed vertices (each visits up to 8 cubes) processed between event-loop yields. */
  chunkSize?: number;
  signal?: AbortSignal;
  /** Called after each chunk with (done, total) seed vertices. */
  onProgress?: (done: number, total: number) => void;
}

class MarchingCubesRun {
  private readonly f: VertexField;
  private readonly res: number;
  private readonly n1: number;
  private readonly candidates: CandidateCubes;
  private readonly edgeVertex: IntHashMap;
  private readonly pos = new GrowableF32(1 << 16);
  private readonly col = new GrowableF32(1 << 16);
  private readonly idx = new GrowableU32(1 << 16);
  /** Per output vertex: 1 if its edge lies in the grid's outer faces. */
  private onBoundary = new Uint8Array(1 << 14);
  readonly seeds: Int32Array;
  // Scratch for one cube.
  private readonly cornerSlot = new Int32Array(8);
  private readonly cornerId = new Int32Array(8);
  private readonly cornerSdf = new Float64Array(8);
  private readonly edgeOut = new Int32Array(12);

  constructor(field: VertexField) {
    this.f = field;
    this.res = field.res;
    this.n1 = field.res + 1;
    this.candidates = new CandidateCubes(field);
    this.seeds = this.candidates.seeds;
    this.edgeVertex = new IntHashMap(this.seeds.length * 3);
  }

  /** Process seeds [from, to). */
  run(from: number, to: number): void {
    this.candidates.walk(from, to, (_slot, ci, cj, ck) => this.cube(ci, cj, ck));
  }

  private cube(ci: number, cj: number, ck: number): void {
    const { f, n1 } = this;
    let cubeCase = 0;
    for (let c = 0; c < 8; c++) {
      const id = ((ci + (c & 1)) * n1 + (cj + ((c >> 1) & 1))) * n1 + (ck + ((c >> 2) & 1));
      const s = f.index.get(id);
      const sdf = s >= 0 ? f.sdf[s] : DEFAULT_SDF;
      this.cornerId[c] = id;
      this.cornerSlot[c] = s;
      this.cornerSdf[c] = sdf;
      if (sdf < 0) cubeCase |= 1 << c;
    }
    const t0 = TRI_OFFSET[cubeCase];
    const t1 = TRI_OFFSET[cubeCase + 1];
    if (t0 === t1) return;
    this.edgeOut.fill(-1);
    this.idx.reserve(t1 - t0);
    for (let t = t0; t < t1; t += 3) {
      const a = this.edgeVert(TRI_EDGES[t]);
      const b = this.edgeVert(TRI_EDGES[t + 1]);
      const c = this.edgeVert(TRI_EDGES[t + 2]);
      if (this.onBoundary[a] | this.onBoundary[b] | this.onBoundary[c]) continue;
      const d = this.idx.data;
      const L = this.idx.length;
      d[L] = a;
      d[L + 1] = b;
      d[L + 2] = c;
      this.idx.length = L + 3;
    }
  }

  private edgeVert(e: number): number {
    const cached = this.edgeOut[e];
    if (cached >= 0) return cached;
    const lo = EDGE_LOWER[e];
    const hi = EDGE_UPPER[e];
    const axis = EDGE_AXIS[e];
    const before = this.edgeVertex.size;
    const v = this.edgeVertex.getOrInsert(this.cornerId[lo] * 3 + axis);
    this.edgeOut[e] = v;
    if (this.edgeVertex.size === before) return v;

    const { f, n1, res } = this;
    const sa = this.cornerSdf[lo];
    const sb = this.cornerSdf[hi];
    const t = sa / (sa - sb);
    this.pos.reserve(3);
    this.col.reserve(3);
    const pa = this.cornerSlot[lo];
    const pb = this.cornerSlot[hi];
    const ida = this.cornerId[lo];
    const idb = this.cornerId[hi];
    for (let ch = 0; ch < 3; ch++) {
      const xa = pa >= 0 ? f.positions[3 * pa + ch] : latticeCoord(ida, ch, n1) / res - 0.5;
      const xb = pb >= 0 ? f.positions[3 * pb + ch] : latticeCoord(idb, ch, n1) / res - 0.5;
      this.pos.data[3 * v + ch] = xa + t * (xb - xa);
      const ca = pa >= 0 ? f.colors[3 * pa + ch] : DEFAULT_COLOR;
      const cb = pb >= 0 ? f.colors[3 * pb + ch] : DEFAULT_COLOR;
      this.col.data[3 * v + ch] = ca + t * (cb - ca);
    }
    this.pos.length = this.col.length = 3 * (v + 1);

    if (v >= this.onBoundary.length) {
      const nb = new Uint8Array(this.onBoundary.length * 2);
      nb.set(this.onBoundary);
      this.onBoundary = nb;
    }
    let boundary = 0;
    for (let ax = 0; ax < 3; ax++) {
      if (ax === axis) continue;
      const x = latticeCoord(ida, ax, n1);
      if (x === 0 || x === res) boundary = 1;
    }
    this.onBoundary[v] = boundary;
    return v;
  }

  result(): ColoredMesh {
    return { positions: this.pos.toArray(), colors: this.col.toArray(), indices: this.idx.toArray() };
  }
}

function latticeCoord(id: number, axis: number, n1: number): number {
  if (axis === 2) return id % n1;
  if (axis === 1) return Math.floor(id / n1) % n1;
  return Math.floor(id / (n1 * n1));
}

/** Synchronous marching cubes (tests, Node, workers). */
export function marchingCubes(field: VertexField): ColoredMesh {
  const run = new MarchingCubesRun(field);
  run.run(0, run.seeds.length);
  return run.result();
}

/** Same result as marchingCubes, yielding to the event loop every chunkSize seed vertices. */
export async function marchingCubesAsync(field: VertexField, opts: MarchingCubesOptions = {}): Promise<ColoredMesh> {
  const chunk = Math.max(1, opts.chunkSize ?? 20_000);
  const run = new MarchingCubesRun(field);
  const total = run.seeds.length;
  for (let from = 0; from < total; from += chunk) {
    throwIfAborted(opts.signal);
    run.run(from, Math.min(total, from + chunk));
    opts.onProgress?.(Math.min(total, from + chunk), total);
    await yieldToEventLoop();
  }
  throwIfAborted(opts.signal);
  return run.result();
}
