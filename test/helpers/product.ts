// Shared pieces of the product browser tests: test images, pixel statistics, GLB validation.
import { PNG } from 'pngjs';
// @ts-expect-error gltf-validator ships no type declarations
import validator from 'gltf-validator';

/** An RGBA PNG: an opaque ellipse with a colour gradient on a transparent background. */
export function rgbaObjectPng(w = 96, h = 96): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const inside = ((x - w / 2) / (w * 0.3)) ** 2 + ((y - h / 2) / (h * 0.36)) ** 2 < 1;
      p.data[i] = 40 + ((x * 4) & 127);
      p.data[i + 1] = 60 + ((y * 3) & 127);
      p.data[i + 2] = 170;
      p.data[i + 3] = inside ? 255 : 0;
    }
  return PNG.sync.write(p);
}

/** A PNG whose every pixel has alpha 0. */
export function transparentPng(w = 48, h = 48): Buffer {
  return PNG.sync.write(new PNG({ width: w, height: h }));
}

/** Mean and standard deviation of luminance, and the fraction of pixels far from the mode colour. */
export function pixelStats(png: Buffer): { mean: number; std: number; offBackground: number } {
  const img = PNG.sync.read(png);
  const n = img.width * img.height;
  const counts = new Map<number, number>();
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [img.data[4 * i]!, img.data[4 * i + 1]!, img.data[4 * i + 2]!];
    const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    sum += l;
    sum2 += l * l;
    const key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const mode = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), offBackground: 1 - mode[1] / n };
}

export interface GlbReport {
  errors: number;
  warnings: number;
  messages: string[];
}

/** The Khronos glTF validator's verdict on GLB bytes. */
export async function validateGlb(bytes: Uint8Array): Promise<GlbReport> {
  const report = await validator.validateBytes(bytes);
  return {
    errors: report.issues.numErrors,
    warnings: report.issues.numWarnings,
    messages: (report.issues.messages as { code: string; message: string; severity: number }[]).filter((m) => m.severity === 0).map((m) => `${m.code}: ${m.message}`),
  };
}
