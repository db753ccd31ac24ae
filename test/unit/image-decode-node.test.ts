import { deflateSync, crc32 } from 'node:zlib';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImageBytes } from '../../src/engine/image/decode-node.ts';
import { applyOrientation, readJpegOrientation } from '../../src/engine/image/exif-orientation.ts';

/** Minimal PNG writer for colour types pngjs cannot write (palette, raw grey). */
function rawPng(width: number, height: number, depth: number, colorType: number, rows: Uint8Array[], extra: [string, Uint8Array][] = []): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    Buffer.from(data).copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  const raw = Buffer.concat(rows.map((r) => Buffer.concat([Buffer.from([0]), Buffer.from(r)])));
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra.map(([t, d]) => chunk(t, d)),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]));
}

function codeOf(f: () => unknown): { code?: string; message: string } {
  try {
    f();
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('PNG decoding', () => {
  it('round-trips 8-bit RGBA through pngjs exactly', () => {
    const w = 7, h = 5;
    const png = new PNG({ width: w, height: h });
    for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 53 + 11) & 255;
    const bytes = new Uint8Array(PNG.sync.write(png));
    const img = decodeImageBytes(bytes, 'rt.png');
    expect([img.width, img.height]).toEqual([w, h]);
    expect(Array.from(img.data)).toEqual(Array.from(png.data));
  });

  it('16-bit RGBA keeps the high byte of each sample (Pillow RGBA;16B)', () => {
    const w = 3, h = 2;
    const src = new Uint16Array(w * h * 4).map((_, i) => (i * 4099 + 300) & 0xffff);
    const png = new PNG({ width: w, height: h, bitDepth: 16, colorType: 6, inputColorType: 6, inputHasAlpha: true });
    png.data = Buffer.from(src.buffer);
    const bytes = new Uint8Array(PNG.sync.write(png, { bitDepth: 16, colorType: 6, inputColorType: 6, inputHasAlpha: true }));
    const img = decodeImageBytes(bytes);
    expect(Array.from(img.data)).toEqual(Array.from(src, (v) => v >> 8));
  });

  it('palette with tRNS expands to RGBA', () => {
    const plte = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const trns = Uint8Array.from([255, 128]); // entry 2 stays opaque
    const bytes = rawPng(3, 1, 8, 3, [Uint8Array.from([2, 0, 1])], [['PLTE', plte], ['tRNS', trns]]);
    expect(Array.from(decodeImageBytes(bytes).data)).toEqual([0, 0, 255, 255, 255, 0, 0, 255, 0, 255, 0, 128]);
  });

  it('greyscale 8-bit, 2-bit and grey+alpha expand to RGBA', () => {
    const g8 = decodeImageBytes(rawPng(2, 1, 8, 0, [Uint8Array.from([17, 200])]));
    expect(Array.from(g8.data)).toEqual([17, 17, 17, 255, 200, 200, 200, 255]);
    // 2-bit samples 0,1,2,3 packed in one byte -> 0, 85, 170, 255 (Pillow's L;2 scaling)
    const g2 = decodeImageBytes(rawPng(4, 1, 2, 0, [Uint8Array.from([0b00011011])]));
    expect(Array.from(g2.data)).toEqual([0, 0, 0, 255, 85, 85, 85, 255, 170, 170, 170, 255, 255, 255, 255, 255]);
    const la = decodeImageBytes(rawPng(1, 1, 8, 4, [Uint8Array.from([90, 40])]));
    expect(Array.from(la.data)).toEqual([90, 90, 90, 40]);
  });

  it('corrupt data is BAD_IMAGE with a reason', () => {
    const good = rawPng(2, 2, 8, 0, [Uint8Array.from([1, 2]), Uint8Array.from([3, 4])]);
    const broken = good.slice();
    broken.fill(0x55, 41, 50); // inside the IDAT payload / CRC
    const e1 = codeOf(() => decodeImageBytes(broken, 'broken.png'));
    expect(e1.code).toBe('BAD_IMAGE');
    expect(e1.message).toMatch(/broken\.png: corrupt PNG/);
    const e2 = codeOf(() => decodeImageBytes(good.subarray(0, 20), 'cut.png'));
    expect(e2.code).toBe('BAD_IMAGE');
    expect(e2.message).toMatch(/truncated/);
    const e3 = codeOf(() => decodeImageBytes(new TextEncoder().encode('GIF89a....'), 'x.gif'));
    expect(e3.code).toBe('BAD_IMAGE');
    expect(e3.message).toMatch(/not a PNG or JPEG/);
    const e4 = codeOf(() => decodeImageBytes(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 2, 1, 2, 3]), 'bad.jpg'));
    expect(e4.code).toBe('BAD_IMAGE');
    expect(e4.message).toMatch(/bad\.jpg/);
  });
});

/** A 16x8 JPEG: left half red, right half blue; with an optional EXIF orientation. */
function jpegWithOrientation(orientation: number | null): Uint8Array {
  const w = 16, h = 8;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(x < 8 ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * w + x) * 4);
  const enc = new Uint8Array(jpeg.encode({ width: w, height: h, data }, 100).data);
  if (orientation === null) return enc;
  // APP1 "Exif\0\0" + big-endian TIFF with one IFD entry: Orientation (0x0112), SHORT, 1, value
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const app1 = [0xff, 0xe1, ((payload.length + 2) >> 8) & 255, (payload.length + 2) & 255, ...payload];
  return Uint8Array.from([...enc.subarray(0, 2), ...app1, ...enc.subarray(2)]);
}

describe('JPEG decoding', () => {
  const near = (a: ArrayLike<number>, b: number[]) => b.every((v, i) => Math.abs(a[i] - v) <= 12);
  it('decodes to RGBA (lossy but close)', () => {
    const img = decodeImageBytes(jpegWithOrientation(null));
    expect([img.width, img.height]).toEqual([16, 8]);
    expect(near(img.data.subarray(0, 4), [255, 0, 0, 255])).toBe(true);
    expect(near(img.data.subarray(15 * 4, 16 * 4), [0, 0, 255, 255])).toBe(true);
  });
  it('applies EXIF orientation 6 (rotate 90° clockwise): red ends on top', () => {
    const bytes = jpegWithOrientation(6);
    expect(readJpegOrientation(bytes)).toBe(6);
    const img = decodeImageBytes(bytes);
    expect([img.width, img.height]).toEqual([8, 16]);
    expect(near(img.data.subarray(0, 4), [255, 0, 0, 255])).toBe(true); // top-left
    expect(near(img.data.subarray((15 * 8 + 7) * 4, (15 * 8 + 8) * 4), [0, 0, 255, 255])).toBe(true); // bottom-right
  });
});

describe('applyOrientation', () => {
  // 3x2 image whose pixels are numbered 0..5 in the red channel
  const img = { width: 3, height: 2, data: Uint8Array.from([0, 1, 2, 3, 4, 5].flatMap((v) => [v, 0, 0, 255])) };
  const reds = (o: number) => {
    const r = applyOrientation(img, o);
    return [r.width, r.height, ...Array.from({ length: r.width * r.height }, (_, i) => r.data[i * 4])];
  };
  // Expected values printed by Pillow 9.4: im.transpose(method) with exif_transpose's method table.
  it('matches PIL exif_transpose for all eight values', () => {
    // source:  0 1 2 / 3 4 5
    expect(reds(1)).toEqual([3, 2, 0, 1, 2, 3, 4, 5]);
    expect(reds(2)).toEqual([3, 2, 2, 1, 0, 5, 4, 3]); // mirror
    expect(reds(3)).toEqual([3, 2, 5, 4, 3, 2, 1, 0]); // 180
    expect(reds(4)).toEqual([3, 2, 3, 4, 5, 0, 1, 2]); // flip vertical
    expect(reds(5)).toEqual([2, 3, 0, 3, 1, 4, 2, 5]); // transpose
    expect(reds(6)).toEqual([2, 3, 3, 0, 4, 1, 5, 2]); // rotate 90 cw
    expect(reds(7)).toEqual([2, 3, 5, 2, 4, 1, 3, 0]); // transverse
    expect(reds(8)).toEqual([2, 3, 2, 5, 1, 4, 0, 3]); // rotate 90 ccw
  });
});
