// Port vs Pillow itself: Lanczos (RGBA premultiplied, RGB, L, box, integer-box crop, one-axis),
// rembg's naive cutout, u2net pre/post-processing and TRELLIS's preprocess_image on synthetic
// images whose crop edges need half-to-even rounding and run outside the image.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../src/engine/image/rgba-image.ts';
import { resizeLanczosGray, resizeLanczosRgb, resizeLanczosRgba } from '../../src/engine/preprocess/pil-lanczos.ts';
import { naiveCutout, u2netInputTensor, u2netMaskFromPrediction } from '../../src/engine/preprocess/rembg-u2net.ts';
import { conditionCropBox, foregroundBounds, preprocessImage } from '../../src/engine/preprocess/preprocess-image.ts';

/** The generator's LCG: s = (s·1103515245 + 12345) mod 2^31, byte = (s >> 16) & 255. */
function lcgBytes(seed: number, n: number): Uint8Array {
  let s = seed;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    out[i] = (s >> 16) & 255;
  }
  return out;
}

function lcgRgba(seed: number, w: number, h: number, mode: 'opaque' | 'mixed'): RgbaImage {
  const b = lcgBytes(seed, w * h * 4);
  for (let p = 0; p < w * h; p++) {
    const a = b[p * 4 + 3];
    b[p * 4 + 3] = mode === 'opaque' ? 255 : a < 85 ? 0 : a > 170 ? 255 : a;
  }
  return { width: w, height: h, data: b };
}

function blob(seed: number, w: number, h: number, x0: number, y0: number, x1: number, y1: number): RgbaImage {
  const im = lcgRgba(seed, w, h, 'opaque');
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x0 <= x && x <= x1 && y0 <= y && y <= y1;
      const ring = x0 - 1 <= x && x <= x1 + 1 && y0 - 1 <= y && y <= y1 + 1;
      im.data[(y * w + x) * 4 + 3] = inside ? 255 : ring ? 150 : 0;
    }
  }
  return im;
}

const sha256 = (a: Uint8Array | Float32Array) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
const bytes = (img: { data: ArrayLike<number> }) => Array.from(img.data);

describe('Lanczos resize equals Pillow', () => {
  const im = lcgRgba(1, 9, 7, 'mixed');
  it('RGBA downscale (premultiplied)', () => expect(bytes(resizeLanczosRgba(im, 4, 5))).toEqual(PILLOW_REF.rgba_9x7_to_4x5));
  it('RGBA upscale', () => expect(bytes(resizeLanczosRgba(im, 13, 11))).toEqual(PILLOW_REF.rgba_9x7_to_13x11));
  it('RGBA width only (vertical pass skipped)', () => expect(bytes(resizeLanczosRgba(im, 5, 7))).toEqual(PILLOW_REF.rgba_9x7_to_5x7));
  it('RGBA with a fractional box', () => {
    expect(bytes(resizeLanczosRgba(im, 6, 4, { x0: 1.5, y0: 0.25, x1: 7.0, y1: 6.5 }))).toEqual(PILLOW_REF.rgba_9x7_box_to_6x4);
  });
  it('RGBA integer box of the output size (crop, premultiply round trip only)', () => {
    expect(bytes(resizeLanczosRgba(im, 4, 3, { x0: 2, y0: 1, x1: 6, y1: 4 }))).toEqual(PILLOW_REF.rgba_9x7_intbox_to_4x3);
  });
  const rgb = lcgRgba(2, 10, 6, 'opaque');
  it('RGB both axes', () => expect(bytes(resizeLanczosRgb(rgb, 3, 9))).toEqual(PILLOW_REF.rgb_10x6_to_3x9));
  it('RGB height only (horizontal pass skipped)', () => expect(bytes(resizeLanczosRgb(rgb, 10, 4))).toEqual(PILLOW_REF.rgb_10x6_to_10x4));
  const L = lcgBytes(3, 64);
  it('L down', () => expect(Array.from(resizeLanczosGray(L, 8, 8, 5, 5))).toEqual(PILLOW_REF.l_8x8_to_5x5));
  it('L mixed up/down', () => expect(Array.from(resizeLanczosGray(L, 8, 8, 12, 3))).toEqual(PILLOW_REF.l_8x8_to_12x3));
});

describe('rembg pieces equal rembg + Pillow', () => {
  it('naive_cutout (Image.composite over transparent black)', () => {
    const rgb = lcgRgba(4, 6, 5, 'opaque');
    expect(bytes(naiveCutout(rgb, lcgBytes(5, 30)))).toEqual(PILLOW_REF.cutout_6x5);
  });
  it('u2net mask post-processing and Lanczos resize back', () => {
    const raw = lcgBytes(6, 16 * 12);
    const f = Math.fround;
    const pred = Float32Array.from(raw, (v) => f(f(v / f(51.2)) - 2));
    const small = u2netMaskFromPrediction(pred, [1, 1, 12, 16], 16, 12);
    expect(Array.from(small)).toEqual(PILLOW_REF.u2net_mask_small_16x12);
    expect(Array.from(u2netMaskFromPrediction(pred, [1, 1, 12, 16], 23, 17))).toEqual(PILLOW_REF.u2net_mask_to_23x17);
  });
  it('u2net input tensor (320² Lanczos, / max, ImageNet, float64 then float32)', () => {
    const t = u2netInputTensor(lcgRgba(7, 37, 23, 'opaque'));
    expect(t.length).toBe(3 * 320 * 320);
    expect(sha256(t)).toBe(PILLOW_REF.u2net_input_sha256);
  });
});

describe('TRELLIS preprocess_image equals the reference on synthetic RGBA', () => {
  for (const name of ['blob_a', 'blob_b', 'blob_c'] as const) {
    const ref = PILLOW_REF[`pre_${name}`];
    it(`${name}: crop box ${ref.box.join(', ')}`, async () => {
      const [seed, w, h, x0, y0, x1, y1] = ref.args;
      const img = blob(seed, w, h, x0, y0, x1, y1);
      const b = foregroundBounds(img)!;
      const box = conditionCropBox(b);
      // the reference's float box, rounded half to even
      const even = (v: number) => { const r = Math.round(v); return v - Math.floor(v) === 0.5 && r % 2 !== 0 ? r - 1 : r; };
      expect([box.x0, box.y0, box.x1, box.y1].map((v) => v + 0)).toEqual(ref.box.map(even).map((v) => v + 0));
      const out = await preprocessImage(img);
      expect(Array.from(out.data.subarray(0, 12))).toEqual(ref.first);
      expect(sha256(out.data)).toBe(ref.sha256);
    });
  }
});

// Pillow references. Generated with Debian's Pillow 9.4.0 + numpy 1.24 by the script at the end
// of this file (inputs come from a small LCG that this test reproduces), so these numbers are
// Pillow's/rembg's/TRELLIS's own outputs, not this port's.
const PILLOW_REF = {
  rgba_9x7_to_4x5: [122,207,198,177,88,159,142,181,86,135,90,68,191,131,77,72,251,172,155,77,110,129,136,162,100,125,106,173,34,195,172,133,189,26,57,58,72,110,139,106,152,119,82,139,151,147,116,145,129,126,114,85,124,14,130,88,138,131,114,118,113,111,171,110,187,217,80,143,161,161,97,147,155,162,149,121,86,139,173,106],
  rgba_9x7_to_13x11: [227,85,71,75,102,218,205,181,84,255,255,255,93,255,214,255,126,128,250,157,49,84,147,181,0,197,57,255,0,255,0,64,9,2,6,0,104,106,127,110,137,139,85,104,226,98,18,109,255,53,0,123,229,118,151,168,151,175,192,160,73,255,245,153,60,255,171,181,164,46,196,143,154,39,112,149,52,230,27,184,120,173,120,91,255,0,255,29,88,133,149,46,139,121,103,42,163,154,69,84,138,175,83,138,233,156,181,255,236,124,162,113,0,0,0,0,50,161,86,71,163,49,129,154,224,61,90,149,212,195,42,121,138,138,170,175,111,91,217,123,255,0,0,1,85,255,0,3,5,244,202,98,1,248,206,191,222,221,167,189,225,236,140,69,4,0,0,0,241,49,205,98,86,222,155,213,67,179,143,232,112,21,133,233,53,169,127,255,39,189,95,217,161,8,43,87,118,193,34,95,16,204,192,196,0,182,255,255,209,157,72,151,177,173,67,72,255,255,255,2,255,49,255,46,89,246,143,185,54,168,137,253,76,0,151,216,0,174,97,152,83,211,73,180,211,93,92,230,159,159,49,169,21,190,146,174,0,158,222,203,194,6,18,165,194,9,22,80,0,0,0,0,0,0,0,0,162,85,60,102,150,77,85,158,114,52,143,87,0,0,0,0,255,146,118,99,251,137,115,255,208,123,58,136,51,164,45,79,68,190,115,119,137,0,51,100,255,0,0,23,51,91,137,50,44,69,139,197,77,43,115,99,255,0,0,20,153,59,121,90,118,125,73,177,148,141,70,153,255,155,99,59,255,53,0,24,167,103,160,108,188,128,198,211,173,142,124,150,255,247,119,32,0,0,200,28,43,43,144,207,25,48,121,99,255,65,148,31,192,58,165,148,111,126,82,227,60,151,58,165,0,134,205,36,51,193,224,25,146,103,187,136,159,98,205,244,222,244,108,255,205,228,101,123,0,0,0,0,0,0,102,5,125,0,3,79,180,54,105,165,218,93,200,169,255,75,226,27,59,150,124,90,103,149,164,241,117,170,166,130,49,105,127,92,28,67,118,144,226,255,100,117,179,177,49,139,201,222,76,147,206,255,165,125,194,159,82,126,150,67,59,151,123,126,137,147,212,160,221,54,182,182,175,116,141,176,151,211,143,192,150,73,19,87,175,67,30,86,173,144,0,0,0,0,159,129,0,118,214,237,88,255,197,255,181,255,195,216,131,167,106,91,0,89,8,151,51,123,138,157,142,147,214,190,163,162,203,239,127,114,6,7,0,0,72,68,255,63,96,109,236,180],
  rgba_9x7_to_5x7: [111,225,192,183,86,202,206,235,18,140,67,154,101,144,115,53,204,104,42,115,202,147,163,131,127,68,85,78,191,124,111,160,162,77,255,36,0,255,183,78,255,204,137,65,126,179,188,131,52,138,145,255,96,145,57,177,41,169,184,202,199,0,7,69,154,100,85,48,118,55,108,82,255,134,107,138,121,156,77,122,119,30,119,66,40,51,160,113,139,101,99,141,76,149,35,80,181,90,223,115,206,240,99,125,134,0,35,36,206,73,148,125,109,162,168,138,57,112,132,129,166,177,59,129,172,209,108,225,99,127,88,118,198,209,148,113,76,104,221,83],
  rgba_9x7_box_to_6x4: [80,255,239,130,118,142,176,172,142,61,125,157,70,205,51,185,126,99,213,85,30,85,131,33,22,0,0,0,154,183,150,132,86,157,125,227,93,26,138,171,39,207,108,179,219,90,87,166,0,12,165,63,48,36,116,120,187,63,93,68,141,64,139,119,97,143,41,128,230,134,122,127,174,220,124,111,148,160,123,122,165,63,71,125,158,117,160,143,142,164,123,93,111,169,159,176],
  rgba_9x7_intbox_to_4x3: [56,173,100,91,218,1,120,152,203,226,25,118,141,95,216,153,255,86,225,112,32,251,143,255,88,5,144,255,9,220,83,255,0,0,0,0,155,82,70,149,114,52,143,87,0,0,0,0],
  rgb_10x6_to_3x9: [175,66,150,255,160,128,93,255,157,132,138,255,139,78,118,255,106,80,75,255,110,163,135,255,112,119,108,255,75,63,77,255,95,168,139,255,144,163,158,255,145,138,122,255,166,101,148,255,145,145,126,255,153,94,131,255,99,56,123,255,135,140,83,255,150,71,98,255,32,70,97,255,147,197,112,255,200,187,75,255,112,119,109,255,124,168,109,255,170,196,140,255,169,179,146,255,101,119,90,255,126,151,199,255,173,204,168,255],
  rgb_10x6_to_10x4: [162,77,187,255,199,143,88,255,82,50,109,255,147,71,65,255,87,4,192,255,116,139,53,255,159,133,26,255,132,255,61,255,82,113,189,255,141,90,240,255,141,185,130,255,150,103,134,255,172,124,142,255,9,180,145,255,156,37,50,255,132,93,94,255,153,97,194,255,82,106,122,255,102,127,88,255,160,114,186,255,186,139,156,255,105,226,63,255,76,156,171,255,226,92,30,255,247,134,44,255,170,137,191,255,90,82,68,255,56,118,128,255,103,95,155,255,82,3,12,255,89,129,164,255,114,216,57,255,141,120,74,255,153,149,153,255,141,227,145,255,163,131,198,255,171,222,107,255,170,220,140,255,174,198,219,255,142,113,85,255],
  l_8x8_to_5x5: [97,118,96,120,145,76,145,138,131,190,91,151,205,142,107,146,102,174,99,52,218,125,115,176,99],
  l_8x8_to_12x3: [67,86,123,145,121,106,133,100,99,190,182,137,64,105,137,108,162,217,178,142,125,114,114,116,166,195,186,93,85,136,158,176,149,82,69,87],
  cutout_6x5: [22,89,220,223,2,5,5,9,31,35,32,120,82,12,54,133,148,120,105,209,17,86,103,108,88,48,11,184,62,90,105,115,50,56,57,60,47,48,41,104,23,6,8,29,13,9,65,172,145,73,195,253,12,1,4,21,37,81,57,233,55,69,6,89,53,12,10,70,180,176,113,217,21,37,0,68,32,54,95,98,108,96,111,111,13,42,12,61,160,117,87,234,17,124,141,169,73,53,2,128,76,62,122,141,76,89,132,146,5,4,1,9,81,80,81,127,15,27,43,49],
  u2net_mask_small_16x12: [166,171,246,140,114,73,237,81,55,132,245,223,94,20,107,206,216,32,9,67,182,176,224,65,135,214,21,181,117,156,91,63,30,172,52,194,51,194,231,170,211,210,64,0,165,248,10,47,183,36,77,148,26,129,72,199,57,170,45,171,253,140,159,56,163,25,236,3,88,178,10,146,154,81,83,98,77,122,0,180,159,223,103,28,157,214,244,199,146,123,233,143,36,164,213,192,44,137,213,168,88,48,142,224,131,154,230,93,207,176,133,54,136,234,14,51,184,197,29,25,138,226,1,184,95,255,54,177,178,149,169,7,172,86,170,109,134,69,176,73,163,178,209,139,105,221,252,49,227,102,252,150,24,119,44,126,40,176,251,225,44,213,31,122,203,57,152,15,156,234,107,127,63,154,27,141,58,80,232,111,149,210,199,20,52,209,36,57,247,210,90,42],
  u2net_mask_to_23x17: [157,160,213,255,201,125,104,50,144,238,123,42,57,110,219,255,224,138,45,12,67,173,224,228,143,73,118,94,109,163,122,173,219,93,42,108,173,137,147,224,151,74,80,100,126,135,177,122,19,0,41,122,164,187,232,222,103,101,207,240,79,5,119,121,160,201,96,32,41,16,117,155,50,151,160,54,144,238,227,174,178,226,219,132,21,0,93,235,239,57,1,56,127,118,74,48,164,143,16,103,150,139,207,145,105,190,119,44,114,224,243,175,152,84,33,220,77,1,141,134,59,43,127,77,14,154,137,72,130,71,57,162,215,176,110,99,100,99,177,75,78,232,87,0,101,196,120,24,116,180,146,85,79,102,96,60,92,120,9,83,209,166,192,195,128,17,33,162,226,228,205,184,171,141,108,168,209,142,29,50,164,175,191,215,83,142,200,170,129,112,117,103,159,247,255,190,117,120,242,251,115,112,147,169,219,164,96,39,90,167,186,180,143,95,65,66,112,183,163,130,169,193,154,108,166,220,188,122,72,63,110,201,201,33,16,106,181,213,126,17,19,74,171,242,77,28,181,118,158,250,86,85,186,177,189,166,87,0,55,181,164,120,91,47,101,160,135,113,108,116,123,175,211,153,135,157,166,146,186,241,73,45,186,101,124,227,170,114,75,48,128,146,73,110,150,175,255,220,150,93,156,255,250,94,92,229,126,148,253,184,59,36,118,73,59,128,57,65,186,244,240,222,30,166,225,66,55,169,218,80,88,170,68,60,163,219,138,97,142,46,62,153,82,114,192,37,101,150,107,103,146,173,131,151,150,21,30,162,236,151,61,90,134,180,172,57,41,90,65,42,118,252,173,91,148,204,243,189,55,0,80,202,117,0,47,206,255,207,129,57,33],
  u2net_input_sha256: '5bbbf3d383d9555fe5cd26cbb1ab18cfe6cf1151119413f9fc8b971d45ec0e79',
  pre_blob_a: {"args": [8, 64, 48, 3, 10, 40, 30], "box": [-0.5, -2.0, 43.5, 42.0], "sha256": "dc6a933a3488cfd3b42a18b67316e88892b11eed2759d60318fdbf4ad04c76f4", "first": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]},
  pre_blob_b: {"args": [9, 300, 200, 0, 1, 250, 198], "box": [-25.0, -50.5, 275.0, 249.5], "sha256": "3a871057e617d4e04dd3c4829299bdbd1eaa6702c54d85a6e06cc6612d993c3f", "first": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]},
  pre_blob_c: {"args": [10, 700, 600, 40, 33, 641, 560], "box": [-19.5, -63.5, 700.5, 656.5], "sha256": "761983e3b995bc4e15eb313915de406bcdd97fceb3aa384628af69503f1d86b3", "first": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]},
} as const;

/* Generator (run with /usr/bin/python3 after apt-get install python3-pil python3-numpy):
# Pillow 9.4.0 + numpy references for test/unit/preprocess-pillow.test.ts.
import json, hashlib
import numpy as np
from PIL import Image

def lcg_bytes(seed, n):
    s = seed; out = bytearray(n)
    for i in range(n):
        s = (s * 1103515245 + 12345) % 2147483648
        out[i] = (s >> 16) & 255
    return bytes(out)

def rgba(seed, w, h, alpha_mode):
    b = bytearray(lcg_bytes(seed, w * h * 4))
    for p in range(w * h):
        a = b[p*4+3]
        if alpha_mode == 'opaque': b[p*4+3] = 255
        elif alpha_mode == 'mixed':
            # a third fully transparent, a third opaque, the rest as drawn
            b[p*4+3] = 0 if a < 85 else (255 if a > 170 else a)
    return Image.frombytes('RGBA', (w, h), bytes(b))

res = {}
def put(name, im):
    res[name] = list(im.tobytes())

im = rgba(1, 9, 7, 'mixed')
put('rgba_9x7_to_4x5', im.resize((4, 5), Image.LANCZOS))
put('rgba_9x7_to_13x11', im.resize((13, 11), Image.LANCZOS))
put('rgba_9x7_to_5x7', im.resize((5, 7), Image.LANCZOS))
put('rgba_9x7_box_to_6x4', im.resize((6, 4), Image.LANCZOS, box=(1.5, 0.25, 7.0, 6.5)))
put('rgba_9x7_intbox_to_4x3', im.resize((4, 3), Image.LANCZOS, box=(2, 1, 6, 4)))
rgb = rgba(2, 10, 6, 'opaque').convert('RGB')
put('rgb_10x6_to_3x9', rgb.resize((3, 9), Image.LANCZOS).convert('RGBA'))
put('rgb_10x6_to_10x4', rgb.resize((10, 4), Image.LANCZOS).convert('RGBA'))
L = Image.frombytes('L', (8, 8), lcg_bytes(3, 64))
put('l_8x8_to_5x5', L.resize((5, 5), Image.LANCZOS))
put('l_8x8_to_12x3', L.resize((12, 3), Image.LANCZOS))

# rembg naive_cutout
rgb2 = rgba(4, 6, 5, 'opaque').convert('RGB')
mask = Image.frombytes('L', (6, 5), lcg_bytes(5, 30))
cut = Image.composite(rgb2, Image.new('RGBA', rgb2.size, 0), mask)
put('cutout_6x5', cut)

# rembg u2net post-processing on a float32 prediction map (values from the LCG / 51.2 - 2)
pred = (np.frombuffer(lcg_bytes(6, 16 * 12), dtype=np.uint8).astype(np.float32) / np.float32(51.2) - np.float32(2)).reshape(1, 1, 12, 16)
p = pred[:, 0, :, :]
ma = np.max(p); mi = np.min(p)
p = (p - mi) / (ma - mi)
p = np.squeeze(p)
m = Image.fromarray((p.clip(0, 1) * 255).astype('uint8'), mode='L')
res['u2net_mask_small_16x12'] = list(m.tobytes())
put('u2net_mask_to_23x17', m.resize((23, 17), Image.LANCZOS))

# rembg u2net input normalisation (base.py normalize) on a 37x23 RGB image
src = rgba(7, 37, 23, 'opaque').convert('RGB')
small = src.resize((320, 320), Image.LANCZOS)
a = np.array(small); a = a / max(np.max(a), 1e-6)
t = np.zeros((a.shape[0], a.shape[1], 3))
mean = (0.485, 0.456, 0.406); std = (0.229, 0.224, 0.225)
for c in range(3): t[:, :, c] = (a[:, :, c] - mean[c]) / std[c]
t = np.expand_dims(t.transpose((2, 0, 1)), 0).astype(np.float32)
res['u2net_input_sha256'] = hashlib.sha256(t.tobytes()).hexdigest()

# TRELLIS preprocess_image (alpha path) on synthetic images that exercise half-even crop edges
def trellis_pre(inp):
    output = inp
    output_np = np.array(output)
    alpha = output_np[:, :, 3]
    bbox = np.argwhere(alpha > 0.8 * 255)
    bbox = np.min(bbox[:, 1]), np.min(bbox[:, 0]), np.max(bbox[:, 1]), np.max(bbox[:, 0])
    center = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    size = max(bbox[2] - bbox[0], bbox[3] - bbox[1])
    size = int(size * 1.2)
    bbox = center[0] - size // 2, center[1] - size // 2, center[0] + size // 2, center[1] + size // 2
    output = output.crop(bbox)
    output = output.resize((518, 518), Image.Resampling.LANCZOS)
    output = np.array(output).astype(np.float32) / 255
    output = output[:, :, :3] * output[:, :, 3:4]
    return Image.fromarray((output * 255).astype(np.uint8)), bbox

def blob(seed, w, h, x0, y0, x1, y1):
    # random colours, alpha 255 inside [x0..x1]x[y0..y1] with a soft 1-px ring, 0 outside
    im = rgba(seed, w, h, 'opaque'); b = bytearray(im.tobytes())
    for y in range(h):
        for x in range(w):
            inside = x0 <= x <= x1 and y0 <= y <= y1
            ring = x0 - 1 <= x <= x1 + 1 and y0 - 1 <= y <= y1 + 1
            b[(y*w+x)*4+3] = 255 if inside else (150 if ring else 0)
    return Image.frombytes('RGBA', (w, h), bytes(b))

cases = {'blob_a': (8, 64, 48, 3, 10, 40, 30), 'blob_b': (9, 300, 200, 0, 1, 250, 198), 'blob_c': (10, 700, 600, 40, 33, 641, 560)}
for name, (seed, w, h, x0, y0, x1, y1) in cases.items():
    out, box = trellis_pre(blob(seed, w, h, x0, y0, x1, y1))
    res['pre_' + name] = {'args': [seed, w, h, x0, y0, x1, y1], 'box': [float(v) for v in box], 'sha256': hashlib.sha256(out.tobytes()).hexdigest(), 'first': list(out.tobytes()[:12])}
print(json.dumps(res))

*/
