// The input image of the full-size benches: a 256² disc on a transparent background, so no
// background-removal model is needed.
import { PNG } from 'pngjs';

export function transparentDiscPng(): string {
  const w = 256;
  const p = new PNG({ width: w, height: w });
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) {
    const inside = (x - w / 2) ** 2 + (y - w / 2) ** 2 < (w * 0.35) ** 2;
    p.data.set([(x * 3) & 255, (y * 5) & 255, 140, inside ? 255 : 0], (y * w + x) * 4);
  }
  return `data:image/png;base64,${PNG.sync.write(p).toString('base64')}`;
}
