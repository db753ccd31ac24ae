// Invariants and a hand-computed case for the Pillow Lanczos port (bit-exactness against Pillow
// itself is in preprocess-pillow.test.ts).
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../src/engine/image/rgba-image.ts';
import {
  mulDiv255,
  precomputeLanczosCoeffs,
  premultiplyRgba,
  resizeLanczosGray,
  resizeLanczosRgb,
  resizeLanczosRgba,
  unpremultiplyRgbaInPlace,
} from '../../src/engine/preprocess/pil-lanczos.ts';

function solid(w: number, h: number, rgba: [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width: w, height: h, data };
}

describe('Lanczos invariants', () => {
  for (const [w, h, ow, oh] of [[17, 9, 5, 4], [5, 4, 23, 11], [31, 31, 518, 518], [640, 3, 7, 9]]) {
    it(`a constant RGBA image stays constant ${w}x${h} -> ${ow}x${oh}`, () => {
      const out = resizeLanczosRgba(solid(w, h, [200, 30, 7, 180]), ow, oh);
      expect(out.width).toBe(ow);
      expect(out.height).toBe(oh);
      // premultiply + unpremultiply of a constant is lossy once but must be the same everywhere
      const first = Array.from(out.data.subarray(0, 4));
      for (let i = 0; i < out.data.length; i += 4) expect(Array.from(out.data.subarray(i, i + 4))).toEqual(first);
      expect(first[3]).toBe(180);
      const rgb = resizeLanczosRgb(solid(w, h, [200, 30, 7, 255]), ow, oh);
      for (let i = 0; i < rgb.data.length; i += 4) expect(Array.from(rgb.data.subarray(i, i + 4))).toEqual([200, 30, 7, 255]);
    });
  }

  it('fixed-point weights of every output sum to 2^22 within rounding', () => {
    for (const [inSize, outSize] of [[1000, 518], [100, 518], [37, 5], [2, 4]]) {
      const c = precomputeLanczosCoeffs(inSize, 0, inSize, outSize);
      for (let o = 0; o < outSize; o++) {
        let s = 0;
        for (let k = 0; k < c.bounds[o * 2 + 1]; k++) s += c.kk[o * c.ksize + k];
        expect(Math.abs(s - 2 ** 22)).toBeLessThanOrEqual(c.ksize);
      }
    }
  });

  it('a centred 1-D impulse gives a symmetric response', () => {
    // 11 px with the impulse at 5 (centre 5.5) -> 7 px: output centres mirror around 5.5.
    const row = new Uint8Array(11);
    row[5] = 255;
    const out = resizeLanczosGray(row, 11, 1, 7, 1);
    for (let i = 0; i < 7; i++) expect(out[i]).toBe(out[6 - i]);
    expect(out[3]).toBeGreaterThan(0);
    const up = resizeLanczosGray(row, 11, 1, 33, 1);
    for (let i = 0; i < 33; i++) expect(up[i]).toBe(up[32 - i]);
  });

  it('same size returns an equal copy, not the same buffer', () => {
    const img = solid(3, 2, [1, 2, 3, 4]);
    img.data[5] = 99;
    const out = resizeLanczosRgba(img, 3, 2);
    expect(Array.from(out.data)).toEqual(Array.from(img.data));
    expect(out.data).not.toBe(img.data);
  });

  it('hand-computed 2 -> 4 upscale of [0, 255]', () => {
    // Output 0: centre 0.25, taps x = 0, 1 at distances 0.25 and 1.25 (all of the 2-px input).
    const L = (t: number) => (t === 0 ? 1 : (Math.sin(Math.PI * t) / (Math.PI * t)) * (Math.sin((Math.PI * t) / 3) / ((Math.PI * t) / 3)));
    const w0 = L(0.25), w1 = L(1.25);
    // w1 is negative, so its fixed-point weight rounds away from zero with -0.5
    const k1 = Math.trunc(-0.5 + (w1 / (w0 + w1)) * 2 ** 22);
    const expected0 = Math.min(255, Math.max(0, (2 ** 21 + 255 * k1) >> 22));
    const out = resizeLanczosGray(Uint8Array.from([0, 255]), 2, 1, 4, 1);
    expect(w1).toBeLessThan(0); // the negative lobe: output 0 clips to 0
    expect(out[0]).toBe(expected0);
    expect(out[0]).toBe(0);
    // by symmetry the last output is full white, and the row is non-decreasing
    expect(out[3]).toBe(255);
    expect(out[1]).toBeLessThanOrEqual(out[2]);
    expect(out[1] + out[2]).toBe(255);
  });

  it('rejects an empty output or a box outside the input', () => {
    const img = solid(4, 4, [0, 0, 0, 255]);
    expect(() => resizeLanczosRgb(img, 0, 3)).toThrow(/positive/);
    expect(() => resizeLanczosRgb(img, 2, 2, { x0: -1, y0: 0, x1: 4, y1: 4 })).toThrow(/negative/);
    expect(() => resizeLanczosRgb(img, 2, 2, { x0: 0, y0: 0, x1: 5, y1: 4 })).toThrow(/exceeds/);
  });
});

describe('premultiply / unpremultiply (Pillow Convert.c)', () => {
  it('MULDIV255 is round(a·b/255) for every pair', () => {
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) {
      const exact = (a * b) / 255;
      expect(mulDiv255(a, b)).toBe(Math.floor(exact + 0.5));
    }
  });
  it('unpremultiply truncates 255·c/a, clips at 255 and leaves a = 0 and a = 255 alone', () => {
    const d = Uint8Array.from([100, 50, 7, 128, 200, 3, 9, 100, 5, 6, 7, 0, 9, 8, 7, 255]);
    unpremultiplyRgbaInPlace(d);
    expect(Array.from(d)).toEqual([199, 99, 13, 128, 255, 7, 22, 100, 5, 6, 7, 0, 9, 8, 7, 255]);
  });
  it('premultiply keeps alpha and scales colour', () => {
    expect(Array.from(premultiplyRgba(Uint8Array.from([255, 128, 1, 128])))).toEqual([128, 64, 1, 128]);
  });
});
