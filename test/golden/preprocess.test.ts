// preprocess_image against the reference's own outputs: every inputN_rgba / outputN_rgb pair
// listed in golden/preprocess/index.json must match bit for bit.
import { describe, expect, it } from 'vitest';
import { goldenRoot, hasCase, readIndex, readTensor } from '../helpers/golden.ts';
import { preprocessImage } from '../../src/engine/preprocess/preprocess-image.ts';
import { preprocessPairs, verifyPreprocess } from '../../src/verify/preprocess.ts';

const CASE = 'preprocess';

describe.skipIf(!hasCase(CASE))('golden preprocess', () => {
  const pairs = preprocessPairs(readIndex(CASE));

  it('index lists at least one input/output pair', () => {
    expect(pairs.length).toBeGreaterThan(0);
  });

  for (const { input, output } of pairs) {
    it(`${input} -> ${output} is bit-exact`, async () => {
      const inp = readTensor(CASE, input);
      const ref = readTensor(CASE, output);
      const [h, w, c] = inp.shape;
      expect(c).toBe(4);
      const out = await preprocessImage({ width: w, height: h, data: inp.data as Uint8Array });
      expect([out.height, out.width, 3]).toEqual(ref.shape);
      let diff = 0;
      let maxAbs = 0;
      for (let i = 0; i < ref.data.length; i++) {
        const d = Math.abs(out.data[i] - (ref.data[i] as number));
        if (d) diff++;
        if (d > maxAbs) maxAbs = d;
      }
      expect({ differing: diff, maxAbs }).toEqual({ differing: 0, maxAbs: 0 });
    });
  }

  it('verifyPreprocess reports one passing row per pair', async () => {
    const rows = await verifyPreprocess(goldenRoot);
    expect(rows.map((r) => r.tensor)).toEqual(pairs.map((p) => p.output));
    for (const r of rows) expect(r).toMatchObject({ case: 'preprocess', maxAbs: 0, tol: 0, pass: true });
  });
});

describe('preprocessPairs', () => {
  it('pairs by number and refuses an unpaired tensor', () => {
    expect(preprocessPairs({ output10_rgb: {}, input2_rgba: {}, input10_rgba: {}, output2_rgb: {} })).toEqual([
      { input: 'input2_rgba', output: 'output2_rgb' },
      { input: 'input10_rgba', output: 'output10_rgb' },
    ]);
    expect(() => preprocessPairs({ input0_rgba: {} })).toThrow(/no output0_rgb/);
  });
});
