// preprocess_image against the reference's own outputs: every inputN_rgba / outputN_rgb pair
// listed in golden/preprocess/index.json must match bit for bit.
import { describe, expect, it } from 'vitest';
import { hasCase, readIndex, readTensor } from '../helpers/golden.ts';
import { preprocessImage } from '../../src/engine/preprocess/preprocess-image.ts';
import { preprocessPairs } from '../../src/verify/preprocess.ts';

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
});
