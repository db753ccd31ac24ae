// The cubes a (dual) marching cubes pass has to look at over the sparse vertex field: every cube
// touching a stored vertex with sdf < 0. A cube without an inside corner cannot hold a crossing
// (unstored corners read as DEFAULT_SDF > 0), so no dense res³ walk is needed and memory grows
// with the surface, not the volume.
import type { VertexField } from './decode-voxels.ts';
import { IntHashMap } from './int-hash-map.ts';

/** Called once per candidate cube, in first-visit order; slot numbers run 0, 1, 2, … */
export type CubeVisitor = (slot: number, ci: number, cj: number, ck: number) => void;

export class CandidateCubes {
  /** Field slots of the vertices with sdf < 0, in storage order: the walk's seeds. */
  readonly seeds: Int32Array;
  /** Cube id (ci·res + cj)·res + ck -> slot, for every cube visited so far. */
  readonly slots: IntHashMap;
  private readonly field: VertexField;

  constructor(field: VertexField) {
    this.field = field;
    let neg = 0;
    for (let s = 0; s < field.count; s++) if (field.sdf[s] < 0) neg++;
    this.seeds = new Int32Array(neg);
    neg = 0;
    for (let s = 0; s < field.count; s++) if (field.sdf[s] < 0) this.seeds[neg++] = s;
    this.slots = new IntHashMap(neg * 4);
  }

  /** Visits each not yet visited in-grid cube among the (up to) 8 around seeds [from, to). */
  walk(from: number, to: number, visit: CubeVisitor): void {
    const { field, slots } = this;
    const res = field.res;
    const n1 = res + 1;
    for (let q = from; q < to; q++) {
      const id = field.ids[this.seeds[q]];
      const k = id % n1;
      const j = ((id - k) / n1) % n1;
      const i = (id - k - j * n1) / (n1 * n1);
      for (let o = 0; o < 8; o++) {
        const ci = i - (o & 1);
        const cj = j - ((o >> 1) & 1);
        const ck = k - ((o >> 2) & 1);
        if (ci < 0 || cj < 0 || ck < 0 || ci >= res || cj >= res || ck >= res) continue;
        const before = slots.size;
        const slot = slots.getOrInsert((ci * res + cj) * res + ck);
        if (slots.size !== before) visit(slot, ci, cj, ck);
      }
    }
  }
}
