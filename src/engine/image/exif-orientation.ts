// EXIF orientation for JPEG (what rembg's ImageOps.exif_transpose applies before cutting out,
// and what browsers apply with imageOrientation: 'from-image').
import type { RgbaImage } from './rgba-image.ts';

/** The EXIF Orientation tag (1..8) of a JPEG, or 1 when there is none or it is unreadable. */
export function readJpegOrientation(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0xffd8) return 1;
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return 1;
    const marker = bytes[p + 1];
    if (marker === 0xda || marker === 0xd9) return 1; // start of scan / end: no EXIF before data
    const len = view.getUint16(p + 2);
    if (len < 2 || p + 2 + len > bytes.length) return 1;
    if (marker === 0xe1 && len >= 16 && view.getUint32(p + 4) === 0x45786966 /* "Exif" */ && view.getUint16(p + 8) === 0) {
      return readTiffOrientation(view, p + 10, p + 2 + len);
    }
    p += 2 + len;
  }
  return 1;
}

function readTiffOrientation(view: DataView, tiff: number, end: number): number {
  if (tiff + 8 > end) return 1;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return 1;
  const le = order === 0x4949;
  if (view.getUint16(tiff + 2, le) !== 42) return 1;
  const ifd = tiff + view.getUint32(tiff + 4, le);
  if (ifd + 2 > end) return 1;
  const count = view.getUint16(ifd, le);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return 1;
    if (view.getUint16(entry, le) === 0x0112) {
      const type = view.getUint16(entry + 2, le);
      const v = type === 3 ? view.getUint16(entry + 8, le) : type === 4 ? view.getUint32(entry + 8, le) : 1;
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/** Applies an EXIF orientation (1..8) like PIL's exif_transpose. */
export function applyOrientation(img: RgbaImage, orientation: number): RgbaImage {
  if (orientation <= 1 || orientation > 8) return img;
  const W = img.width;
  const H = img.height;
  const swap = orientation >= 5;
  const outW = swap ? H : W;
  const outH = swap ? W : H;
  // Whole pixels move, so work on 32-bit words (needs a 4-byte aligned view).
  const bytes = img.data.byteOffset % 4 === 0 ? img.data : Uint8Array.from(img.data);
  const src = new Uint32Array(bytes.buffer, bytes.byteOffset, W * H);
  const dst = new Uint32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let sx: number, sy: number;
      switch (orientation) {
        case 2: sx = W - 1 - x; sy = y; break; // mirror horizontal
        case 3: sx = W - 1 - x; sy = H - 1 - y; break; // rotate 180
        case 4: sx = x; sy = H - 1 - y; break; // mirror vertical
        case 5: sx = y; sy = x; break; // transpose
        case 6: sx = y; sy = H - 1 - x; break; // rotate 90 clockwise
        case 7: sx = W - 1 - y; sy = H - 1 - x; break; // transverse
        default: sx = W - 1 - y; sy = x; break; // 8: rotate 90 counter-clockwise
      }
      dst[y * outW + x] = src[sy * W + sx];
    }
  }
  return { width: outW, height: outH, data: new Uint8Array(dst.buffer) };
}
