import { describe, expect, it } from 'vitest';
import { inGuidanceInterval, modelTimestep, numpyLinspace, timePairs } from '../../src/engine/sampler/schedule.ts';

describe('numpyLinspace', () => {
  it('computes start + i·step with two roundings and pins the last element to stop', () => {
    const y = numpyLinspace(1, 0, 13);
    const step = -1 / 12;
    for (let i = 0; i < 12; i++) expect(y[i]).toBe(i * step + 1);
    expect(y[12]).toBe(0);
    // i·step + 1 at i = 12 is not exactly 0 in float64 for every n; numpy overwrites it.
    expect(numpyLinspace(1, 0, 50)[49]).toBe(0);
    expect(Array.from(numpyLinspace(2, 2, 3))).toEqual([2, 2, 2]);
    expect(Array.from(numpyLinspace(5, 7, 1))).toEqual([5]);
  });

  it('rejects a bad count', () => {
    expect(() => numpyLinspace(0, 1, -1)).toThrow(/non-negative integer/);
  });
});

describe('timePairs', () => {
  it('chains (t, t_prev) from 1 to 0, decreasing', () => {
    for (const [steps, r] of [[1, 3], [12, 3], [25, 3], [7, 1], [9, 0.5]]) {
      const p = timePairs(steps, r);
      expect(p.length).toBe(steps);
      expect(p[0][0]).toBe(1);
      expect(p[steps - 1][1]).toBe(0);
      for (let i = 0; i < steps; i++) {
        expect(p[i][1]).toBeLessThan(p[i][0]);
        if (i > 0) expect(p[i][0]).toBe(p[i - 1][1]);
      }
    }
  });

  it('guides steps 0–9 of 12 and 0–18 of 25 with r = 3, interval [0.5, 1] (pipeline.md §3.3)', () => {
    const guided = (steps: number) => timePairs(steps, 3).map(([t]) => inGuidanceInterval(t, [0.5, 1]));
    expect(guided(12)).toEqual(Array.from({ length: 12 }, (_, i) => i <= 9));
    expect(guided(25)).toEqual(Array.from({ length: 25 }, (_, i) => i <= 18));
    expect(timePairs(12, 3)[9][0]).toBe(0.5); // the inclusive bound is hit exactly
  });

  it('rejects non-integer or zero steps', () => {
    expect(() => timePairs(0, 3)).toThrow(/steps/);
    expect(() => timePairs(2.5, 3)).toThrow(/steps/);
  });
});

describe('modelTimestep', () => {
  it('is float32(1000·t)', () => {
    expect(modelTimestep(0.9705882352941178)).toBe(Math.fround(970.5882352941178));
    expect(modelTimestep(1)).toBe(1000);
  });
});
