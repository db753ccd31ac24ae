// preprocess_image paths other than the golden RGBA one: errors, background removal with an
// injected remover, useImageAsIs, the 1024 cap.
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../src/engine/image/rgba-image.ts';
import {
  backgroundRemovalSize,
  foregroundImage,
  preprocessImage,
  premultiplyToRgb,
} from '../../src/engine/preprocess/preprocess-image.ts';
import { resizeLanczosRgb } from '../../src/engine/preprocess/pil-lanczos.ts';

function opaque(w: number, h: number, seed = 1): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    data[i] = (s >> 16) & 255;
  }
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width: w, height: h, data };
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('preprocessImage errors', () => {
  it('NO_FOREGROUND on an all-transparent image', async () => {
    const img: RgbaImage = { width: 8, height: 8, data: new Uint8Array(256) };
    const e = await codeOf(preprocessImage(img));
    expect(e.code).toBe('NO_FOREGROUND');
    expect(e.message).toMatch(/alpha above 204/);
  });
  it('NO_FOREGROUND when only semi-transparent pixels exist', async () => {
    const img: RgbaImage = { width: 4, height: 4, data: new Uint8Array(64).fill(204) };
    expect((await codeOf(preprocessImage(img))).code).toBe('NO_FOREGROUND');
  });
  it('NO_FOREGROUND (too small) for a single opaque pixel', async () => {
    const img: RgbaImage = { width: 4, height: 4, data: new Uint8Array(64) };
    img.data[(1 * 4 + 2) * 4 + 3] = 255;
    const e = await codeOf(preprocessImage(img));
    expect(e.code).toBe('NO_FOREGROUND');
    expect(e.message).toMatch(/too small/);
  });
  it('NO_BACKGROUND_MODEL for an opaque image without a remover, naming the manifest component', async () => {
    const e = await codeOf(preprocessImage(opaque(10, 6)));
    expect(e.code).toBe('NO_BACKGROUND_MODEL');
    expect(e.message).toMatch(/background_removal/);
  });
  it('a remover returning the wrong mask size is reported', async () => {
    const e = await codeOf(preprocessImage(opaque(10, 6), { removeBackground: async () => new Uint8Array(3) }));
    expect(e.message).toMatch(/expected 60/);
  });
});

describe('background removal path', () => {
  it('cuts out with round(c·m/255) and A = m, on the RGB image', async () => {
    const img = opaque(6, 4, 7);
    const mask = new Uint8Array(24);
    mask[0] = 255; mask[1] = 128; mask[2] = 1; mask[3] = 0; mask[4] = 77;
    let seen: RgbaImage | null = null;
    const cut = await foregroundImage(img, { removeBackground: async (rgb) => { seen = rgb; return mask; } });
    expect(seen!.width).toBe(6);
    const px = (i: number) => Array.from(cut.data.subarray(i * 4, i * 4 + 4));
    const src = (i: number) => Array.from(img.data.subarray(i * 4, i * 4 + 3));
    // by hand: round(c * m / 255), halves cannot occur since 255 is odd
    for (const [i, m] of [[0, 255], [1, 128], [2, 1], [3, 0], [4, 77]] as const) {
      expect(px(i)).toEqual([...src(i).map((c) => Math.round((c * m) / 255)), m]);
    }
    const [r, g, b] = src(1);
    expect(px(1)).toEqual([Math.round(r * 128 / 255), Math.round(g * 128 / 255), Math.round(b * 128 / 255), 128]);
  });

  it('shrinks to <= 1024 with int truncation before removal', async () => {
    expect(backgroundRemovalSize(1500, 900)).toEqual({ width: 1024, height: 614 }); // 900·0.6826… = 614.4
    expect(backgroundRemovalSize(1000, 3001)).toEqual({ width: 341, height: 1024 });
    expect(backgroundRemovalSize(1024, 700)).toEqual({ width: 1024, height: 700 });
    const img = opaque(1100, 30);
    let got: [number, number] = [0, 0];
    await foregroundImage(img, { removeBackground: async (rgb) => { got = [rgb.width, rgb.height]; return new Uint8Array(rgb.width * rgb.height).fill(255); } });
    expect(got).toEqual([1024, 27]); // 30 · 1024/1100 = 27.9 -> 27
  });

  it('full pipeline with a synthetic mask equals cutout -> crop -> 518', async () => {
    const img = opaque(40, 30, 3);
    const mask = new Uint8Array(40 * 30);
    for (let y = 5; y <= 20; y++) for (let x = 10; x <= 29; x++) mask[y * 40 + x] = 255;
    const out = await preprocessImage(img, { removeBackground: async () => mask });
    expect(out.width).toBe(518);
    expect(out.height).toBe(518);
    // crop box: x 10..29, y 5..20 -> size trunc(19·1.2) = 22, h = 11, centre (19.5, 12.5)
    // -> x (8.5, 30.5) -> (8, 30); y (1.5, 23.5) -> (2, 24); the corners are outside the mask: black
    expect(Array.from(out.data.subarray(0, 3))).toEqual([0, 0, 0]);
    // the middle of the object is opaque: colours stay near the source colours (resampled)
    const mid = (259 * 518 + 259) * 3;
    expect(out.data[mid] + out.data[mid + 1] + out.data[mid + 2]).toBeGreaterThan(0);
  });

  it('useImageAsIs keeps the whole opaque image as foreground', async () => {
    const img = opaque(50, 20, 5);
    const fg = await foregroundImage(img, { useImageAsIs: true });
    expect(Array.from(fg.data)).toEqual(Array.from(resizeLanczosRgb(img, 50, 20).data));
    const out = await preprocessImage(img, { useImageAsIs: true });
    expect(out.width).toBe(518);
    // With a remover present too: the remover is not asked, the image is used whole.
    let asked = 0;
    const withRemover = await foregroundImage(img, { useImageAsIs: true, removeBackground: async (rgb) => { asked++; return new Uint8Array(rgb.width * rgb.height); } });
    expect(asked).toBe(0);
    expect(Array.from(withRemover.data)).toEqual(Array.from(fg.data));
  });
});

describe('premultiplyToRgb (numpy float32)', () => {
  it('computes trunc(f32(f32(c/255)·f32(a/255))·255)', () => {
    const img: RgbaImage = { width: 3, height: 1, data: Uint8Array.from([255, 255, 255, 255, 200, 100, 1, 128, 255, 0, 0, 0]) };
    const out = premultiplyToRgb(img);
    // 255,255: 1·1·255 = 255. 200 with a 128: (0.78431374·0.5019608)·255 = 100.39 -> 100
    // 100 -> 50.19 -> 50; 1 -> 0.50 -> 0; alpha 0 -> 0
    expect(Array.from(out.data)).toEqual([255, 255, 255, 100, 50, 0, 0, 0, 0]);
  });
});
