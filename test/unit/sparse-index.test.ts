import { describe, expect, it } from 'vitest';
import { buildNeighbourMap, childNeighbourMap, kernelOffset } from '../../src/engine/sparse/neighbours.ts';
import { buildDownsample } from '../../src/engine/sparse/downsample.ts';
import { subdivideCoords } from '../../src/engine/sparse/subdivide.ts';
import { SparseCoordsError } from '../../src/engine/sparse/coords.ts';
import { randomCoords } from './sparse-testkit.ts';

function bruteNeighbours(coords: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n * 27).fill(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 27; k++) {
      const o = kernelOffset(k);
      for (let j = 0; j < n; j++) {
        if (coords[j * 4] === coords[i * 4] && coords[j * 4 + 1] === coords[i * 4 + 1] + o[0] && coords[j * 4 + 2] === coords[i * 4 + 2] + o[1] && coords[j * 4 + 3] === coords[i * 4 + 3] + o[2]) {
          out[i * 27 + k] = j;
        }
      }
    }
  }
  return out;
}

describe('sparse neighbour tables', () => {
  it('kernel offsets follow k = 9·r0 + 3·r1 + r2 on (x,y,z)', () => {
    expect(kernelOffset(0)).toEqual([-1, -1, -1]);
    expect(kernelOffset(13)).toEqual([0, 0, 0]);
    expect(kernelOffset(1)).toEqual([-1, -1, 0]);
    expect(kernelOffset(9)).toEqual([0, -1, -1]);
  });

  it('matches brute force on dense-ish random voxels (2 batch items, borders included)', () => {
    const n = 400;
    const coords = randomCoords(n, 9, 2, 1);
    const nbr = buildNeighbourMap(coords, n);
    expect(Array.from(nbr)).toEqual(Array.from(bruteNeighbours(coords, n)));
    let found = 0;
    for (let i = 0; i < n; i++) {
      expect(nbr[i * 27 + 13]).toBe(i);
      for (let k = 0; k < 27; k++) if (k !== 13 && nbr[i * 27 + k] < n) found++;
    }
    expect(found).toBeGreaterThan(n * 3); // the case really exercises neighbours
  });

  it('the hash-free child table equals the hash table of the subdivided coords', () => {
    const n = 150;
    const coords = randomCoords(n, 6, 2, 2);
    const child = subdivideCoords(coords, n);
    const derived = childNeighbourMap(buildNeighbourMap(coords, n), n);
    expect(Array.from(derived)).toEqual(Array.from(buildNeighbourMap(child, 8 * n)));
    // and one level further (what the mesh decoder's 256³ table is)
    const derived2 = childNeighbourMap(derived, 8 * n);
    expect(Array.from(derived2)).toEqual(Array.from(buildNeighbourMap(subdivideCoords(child, 8 * n), 64 * n)));
  });

  it('subdivide order is parent-major with dz fastest', () => {
    const c = subdivideCoords(Int32Array.from([0, 1, 2, 3, 1, 0, 0, 5]), 2);
    expect(Array.from(c.subarray(0, 16))).toEqual([0, 2, 4, 6, 0, 2, 4, 7, 0, 2, 5, 6, 0, 2, 5, 7]);
    expect(Array.from(c.subarray(28, 32))).toEqual([0, 3, 5, 7]);
    expect(Array.from(c.subarray(32, 36))).toEqual([1, 0, 0, 10]);
  });

  it('rejects duplicate, negative and out-of-range coords with a specific message', () => {
    expect(() => buildNeighbourMap(Int32Array.from([0, 1, 1, 1, 0, 1, 1, 1]), 2)).toThrow(/rows 0 and 1 are the same voxel/);
    expect(() => buildNeighbourMap(Int32Array.from([0, -1, 1, 1]), 1)).toThrow(SparseCoordsError);
    expect(() => buildNeighbourMap(Int32Array.from([0, 1, 1, 1024]), 1)).toThrow(/column 3 = 1024/);
    expect(() => buildNeighbourMap(new Int32Array(7), 2)).toThrow(/expected 2x4/);
  });
});

describe('sparse downsample maps', () => {
  it('matches a brute-force unique/mean with divisor count+1 and lexicographic coarse order', () => {
    const n = 300;
    const coords = randomCoords(n, 12, 2, 3);
    const d = buildDownsample(coords, n);
    const keyOf = (i: number) => [coords[i * 4], coords[i * 4 + 1] >> 1, coords[i * 4 + 2] >> 1, coords[i * 4 + 3] >> 1];
    const uniq = [...new Set(Array.from({ length: n }, (_, i) => keyOf(i).join(',')))]
      .map((s) => s.split(',').map(Number))
      .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
    expect(d.m).toBe(uniq.length);
    expect(Array.from(d.coarseCoords)).toEqual(uniq.flat());
    for (let i = 0; i < n; i++) expect(uniq[d.parentIndex[i]]).toEqual(keyOf(i));
    for (let j = 0; j < d.m; j++) {
      const kids = Array.from({ length: n }, (_, i) => i).filter((i) => d.parentIndex[i] === j);
      const row = Array.from(d.children.subarray(j * 8, j * 8 + 8));
      expect(row).toEqual([...kids, ...Array(8 - kids.length).fill(n)]);
      expect(d.invDivisor[j]).toBe(Math.fround(1 / (kids.length + 1)));
    }
  });
});
