import { describe, expect, it } from 'vitest';
import { buildSwinWindows, MASK_NEG, swinWindowKeys } from '../../src/engine/sparse/swin-windows.ts';
import { randomCoords } from './sparse-testkit.ts';

describe('swin window tables', () => {
  for (const shift of [0, 4]) {
    it(`shift ${shift}: every row exactly once, one key per window, windows complete`, () => {
      const n = 700;
      const coords = randomCoords(n, 30, 2, 40 + shift);
      const sw = buildSwinWindows(coords, n, 8, shift, 4);
      const keys = swinWindowKeys(coords, n, 8, shift);
      // brute-force key: the reference's formula written out directly
      const maxC = [1, 2, 3].map((a) => Math.max(...Array.from({ length: n }, (_, i) => coords[i * 4 + a] + shift)));
      const W = maxC.map((m) => Math.ceil((m + 1) / 8));
      for (let i = 0; i < n; i++) {
        const w = [1, 2, 3].map((a) => Math.floor((coords[i * 4 + a] + shift) / 8));
        expect(keys[i]).toBe(coords[i * 4] * W[0] * W[1] * W[2] + w[0] * W[1] * W[2] + w[1] * W[2] + w[2]);
      }
      expect(sw.groups.length).toBe(4);
      const seen = new Int32Array(n);
      let base = 0;
      let windows = 0;
      for (const gr of sw.groups) {
        expect(gr.index.length).toBe(gr.windows * gr.length);
        for (let w = 0; w < gr.windows; w++) {
          const rows: number[] = [];
          for (let j = 0; j < gr.length; j++) {
            const r = gr.index[w * gr.length + j];
            if (r === n) {
              expect(gr.mask[w * gr.length + j]).toBe(MASK_NEG);
              continue;
            }
            expect(gr.mask[w * gr.length + j]).toBe(0);
            rows.push(r);
            seen[r]++;
            expect(sw.inverse[r]).toBe(base + w * gr.length + j);
          }
          expect(rows.length).toBeGreaterThan(0);
          expect(new Set(rows.map((r) => keys[r])).size).toBe(1);
          // complete: every row with that key is in this window
          expect(Array.from(keys).filter((k) => k === keys[rows[0]]).length).toBe(rows.length);
          expect(rows.length).toBeLessThanOrEqual(512);
          windows++;
        }
        base += gr.windows * gr.length;
      }
      expect(Array.from(seen).every((c) => c === 1)).toBe(true);
      expect(windows).toBe(sw.windowCount);
      expect(new Set(Array.from(keys)).size).toBe(sw.windowCount);
    });
  }

  it('fewer windows than groups: spare groups are single dummy windows on the pad row', () => {
    const coords = Int32Array.from([0, 1, 1, 1, 0, 2, 1, 1, 0, 20, 1, 1]);
    const sw = buildSwinWindows(coords, 3, 8, 0, 4);
    expect(sw.windowCount).toBe(2);
    expect(sw.groups[0].length).toBe(2);
    expect(sw.groups[2]).toMatchObject({ windows: 1, length: 1 });
    expect(Array.from(sw.groups[3].index)).toEqual([3]);
  });
});
