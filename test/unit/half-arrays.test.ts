import { describe, expect, it } from 'vitest';
import { float32ArrayToHalf, floatToHalf, halfArrayToFloat32, halfToFloat } from '../../src/convert/half.ts';
import { mulberry32 } from '../../src/convert/fixtures/random-checkpoint.ts';

describe('half-float array conversions', () => {
  it('decode every half value like the scalar decoder', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const f = halfArrayToFloat32(all);
    for (let h = 0; h < 65536; h++) {
      const ref = halfToFloat(h);
      if (Number.isNaN(ref)) expect(Number.isNaN(f[h])).toBe(true);
      else expect(f[h]).toBe(Math.fround(ref));
    }
  });
  it('encode like the scalar encoder across magnitudes, ties and specials', () => {
    const r = mulberry32(5);
    const vals: number[] = [0, -0, 1, -1, 65504, 65520, 1e6, -1e6, 6e-8, 3e-8, 1e-10, Infinity, -Infinity, NaN];
    for (let i = 0; i < 20000; i++) vals.push((r() - 0.5) * 2 ** Math.floor(r() * 40 - 28));
    for (let h = 0; h < 65536; h += 7) {
      // exact halves and midpoints between neighbours (ties to even)
      const a = halfToFloat(h);
      const b = halfToFloat(h + 1);
      if (Number.isFinite(a) && Number.isFinite(b)) vals.push(a, (a + b) / 2);
    }
    const src = Float32Array.from(vals);
    const got = float32ArrayToHalf(src);
    for (let i = 0; i < src.length; i++) expect(got[i]).toBe(floatToHalf(src[i]));
  });
});
