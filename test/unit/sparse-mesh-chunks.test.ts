import { describe, expect, it } from 'vitest';
import { buildNeighbourMap, childNeighbour, childNeighbourMap } from '../../src/engine/sparse/neighbours.ts';
import { groupStatsFromSums, planMeshTailChunks } from '../../src/engine/sparse/mesh-chunks.ts';
import { randomCoords, randomArray } from './sparse-testkit.ts';

describe('mesh decoder chunk planner', () => {
  const n = 40;
  const coords = randomCoords(n, 5, 1, 91);
  const nbr1 = childNeighbourMap(buildNeighbourMap(coords, n), n);
  const nSub1 = 8 * n;
  const nbr2 = childNeighbourMap(nbr1, nSub1);

  it('childNeighbour equals the materialised level-2 table', () => {
    let bad = 0;
    for (let r = 0; r < 8 * nSub1; r++) for (let k = 0; k < 27; k++) if (childNeighbour(nbr1, nSub1, r, k) !== nbr2[r * 27 + k]) bad++;
    expect(bad).toBe(0);
  });

  it('chunks tile the rows; halo and parent tables resolve to the global neighbours', () => {
    let next = 0;
    let bad = 0;
    for (const ch of planMeshTailChunks(nbr1, nSub1, 37)) {
      expect(ch.parentStart).toBe(next);
      next = ch.parentEnd;
      expect(ch.rows).toBe(8 * (ch.parentEnd - ch.parentStart));
      const H = ch.haloRows;
      const Q = ch.parentRows.length;
      expect(new Set(ch.haloRowIds).size).toBe(H);
      for (let i = 0; i < ch.rows; i++) {
        if (ch.haloRowIds[i] !== 8 * ch.parentStart + i) bad++;
        for (let k = 0; k < 27; k++) {
          const want = nbr2[(8 * ch.parentStart + i) * 27 + k];
          const got = ch.chunkNbr[i * 27 + k];
          if (want === 8 * nSub1 ? got !== H : ch.haloRowIds[got] !== want) bad++;
        }
      }
      for (let j = 0; j < H; j++) {
        for (let k = 0; k < 27; k++) {
          const want = nbr2[ch.haloRowIds[j] * 27 + k];
          const got = ch.haloParentNbr[j * 27 + k];
          if (want === 8 * nSub1 ? got !== Q : ch.parentRows[got] !== want >> 3) bad++;
        }
      }
    }
    expect(next).toBe(nSub1);
    expect(bad).toBe(0);
  });

  it('group statistics from sums equal the two-pass mean and biased variance', () => {
    const x = randomArray(3000, 5, 2);
    const sum = new Float64Array([x.reduce((a, b) => a + b, 0)]);
    const sumsq = new Float64Array([x.reduce((a, b) => a + b * b, 0)]);
    const m = sum[0] / x.length;
    const v = x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length;
    const s = groupStatsFromSums(sum, sumsq, x.length, 1e-5);
    expect(Math.abs(s.mean[0] - m)).toBeLessThan(1e-6);
    expect(Math.abs(s.rstd[0] - 1 / Math.sqrt(v + 1e-5))).toBeLessThan(1e-5);
  });
});
