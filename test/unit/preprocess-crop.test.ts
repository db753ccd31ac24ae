import { describe, expect, it } from 'vitest';
import { cropRgbaZeroPad, pilCropBox, roundHalfEven } from '../../src/engine/preprocess/pil-crop.ts';
import { conditionCropBox, foregroundBounds } from '../../src/engine/preprocess/preprocess-image.ts';
import type { RgbaImage } from '../../src/engine/image/rgba-image.ts';

function blank(w: number, h: number): RgbaImage {
  return { width: w, height: h, data: new Uint8Array(w * h * 4) };
}
function setAlpha(img: RgbaImage, x: number, y: number, a: number): void {
  img.data[(y * img.width + x) * 4 + 3] = a;
}

describe('roundHalfEven (Python round)', () => {
  it('sends ties to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 100.5, 101.5].map((v) => roundHalfEven(v) + 0)).toEqual([0, 2, 2, 4, 0, -2, -2, 100, 102]);
  });
  it('rounds non-ties to nearest', () => {
    expect([0.49, 0.51, 2.4999, 2.5001, -0.51, -1.49, 7].map(roundHalfEven)).toEqual([0, 1, 2, 3, -1, -1, 7]);
  });
  it('differs from Math.round on even+0.5 ties (Math.round goes up)', () => {
    expect(roundHalfEven(2.5)).not.toBe(Math.round(2.5));
    expect(roundHalfEven(-1.5)).not.toBe(Math.round(-1.5));
  });
});

describe('pilCropBox / cropRgbaZeroPad', () => {
  it('rounds both edges the same way so the crop keeps size 2h', () => {
    // centre 10.5, h = 3: (7.5, 13.5) -> (8, 14): width 6
    expect(pilCropBox(7.5, 2.5, 13.5, 8.5)).toEqual({ x0: 8, y0: 2, x1: 14, y1: 8 });
  });
  it('fills pixels outside the source with transparent black', () => {
    const img = blank(3, 2);
    img.data.fill(200);
    const out = cropRgbaZeroPad(img, { x0: -1, y0: 1, x1: 3, y1: 3 });
    expect(out.width).toBe(4);
    expect(out.height).toBe(2);
    const px = (x: number, y: number) => Array.from(out.data.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4));
    expect(px(0, 0)).toEqual([0, 0, 0, 0]); // left of the image
    expect(px(1, 0)).toEqual([200, 200, 200, 200]); // source (0, 1)
    expect(px(3, 0)).toEqual([200, 200, 200, 200]); // source (2, 1)
    expect(px(1, 1)).toEqual([0, 0, 0, 0]); // below the image
  });
  it('a box entirely outside gives an all-zero image', () => {
    const img = blank(2, 2);
    img.data.fill(9);
    const out = cropRgbaZeroPad(img, { x0: 5, y0: 5, x1: 8, y1: 7 });
    expect(out.data.every((v) => v === 0)).toBe(true);
    expect(out.data.length).toBe(3 * 2 * 4);
  });
});

describe('foregroundBounds', () => {
  it('finds the inclusive box of alpha > 204 and ignores alpha <= 204', () => {
    const img = blank(20, 10);
    setAlpha(img, 3, 4, 205);
    setAlpha(img, 15, 2, 255);
    setAlpha(img, 9, 8, 230);
    setAlpha(img, 0, 0, 204); // at the threshold: not foreground
    setAlpha(img, 19, 9, 100);
    expect(foregroundBounds(img)).toEqual({ x0: 3, y0: 2, x1: 15, y1: 8 });
  });
  it('is null when nothing passes', () => {
    const img = blank(4, 4);
    for (let i = 3; i < img.data.length; i += 4) img.data[i] = 204;
    expect(foregroundBounds(img)).toBeNull();
  });
});

describe('conditionCropBox', () => {
  it('uses trunc(max(w,h)*1.2) with w = x1 - x0 (no +1) and a float centre', () => {
    // x 10..20 (w 10), y 5..10 (h 5): size = 12, h = 6, centre (15, 7.5)
    // y edges 1.5 -> 2 (even), 13.5 -> 14 (even)
    expect(conditionCropBox({ x0: 10, y0: 5, x1: 20, y1: 10 })).toEqual({ x0: 9, y0: 2, x1: 21, y1: 14 });
  });
  it('rounds .5 centres half to even on both edges', () => {
    // x 0..5: centre 2.5, size trunc(6) = 6, h = 3 -> (-0.5, 5.5) -> (-0, 6)
    // y 3..8: centre 5.5 -> (2.5, 8.5) -> (2, 8): size 6
    const b = conditionCropBox({ x0: 0, y0: 3, x1: 5, y1: 8 });
    expect([b.x0 + 0, b.y0, b.x1, b.y1]).toEqual([0, 2, 6, 8]);
  });
  it('odd size gives a 2h = size - 1 crop', () => {
    // d = 6 -> size trunc(7.2) = 7, h = 3
    const b = conditionCropBox({ x0: 4, y0: 4, x1: 10, y1: 10 });
    expect(b.x1 - b.x0).toBe(6);
    expect(b.y1 - b.y0).toBe(6);
  });
  it('truncates the float64 product like Python int()', () => {
    // 5 * 1.2 = 6.000000000000001 in float64 -> 6; 10 * 1.2 = 12 exactly
    const b = conditionCropBox({ x0: 0, y0: 0, x1: 5, y1: 0 });
    expect(b.x1 - b.x0).toBe(6);
  });
});
