// Decoder-shaped features (101 channels at resolution res) from an analytic SDF, for tests,
// benchmarks and demos: the voxels whose centre lies within `band` voxels of the surface are
// active, and their 8 corner channels hold sdf(corner) + 1/res (cancelling the decoder bias),
// zero deformation, zero FlexiCubes weights and colour logits from `colorLogits`.
import type { VoxelFeatures } from '../engine/protocol.ts';
import { MESH_CHANNELS } from './decode-voxels.ts';

export type Sdf = (x: number, y: number, z: number) => number;

export interface SdfFeatureOptions {
  res?: number;
  /** Half-width of the active band around the surface, in voxels (default 2). */
  band?: number;
  colorLogits?: (x: number, y: number, z: number) => [number, number, number];
  /** Only scan voxel centres inside this world-space box (default the full grid). */
  bounds?: [number, number, number, number, number, number];
}

export function sdfToVoxelFeatures(sdf: Sdf, opts: SdfFeatureOptions = {}): VoxelFeatures {
  const res = opts.res ?? 256;
  const band = (opts.band ?? 2) / res;
  const h = 1 / res;
  const [x0, y0, z0, x1, y1, z1] = opts.bounds ?? [-0.5, -0.5, -0.5, 0.5, 0.5, 0.5];
  const lo = (w: number) => Math.max(0, Math.floor((w + 0.5) * res) - 1);
  const hi = (w: number) => Math.min(res - 1, Math.ceil((w + 0.5) * res) + 1);
  const coords: number[] = [];
  for (let i = lo(x0); i <= hi(x1); i++) {
    for (let j = lo(y0); j <= hi(y1); j++) {
      for (let k = lo(z0); k <= hi(z1); k++) {
        const d = sdf((i + 0.5) * h - 0.5, (j + 0.5) * h - 0.5, (k + 0.5) * h - 0.5);
        if (Math.abs(d) < band) coords.push(0, i, j, k);
      }
    }
  }
  const count = coords.length / 4;
  const feats = new Float32Array(count * MESH_CHANNELS);
  for (let v = 0; v < count; v++) {
    const i = coords[4 * v + 1];
    const j = coords[4 * v + 2];
    const k = coords[4 * v + 3];
    const o = v * MESH_CHANNELS;
    for (let c = 0; c < 8; c++) {
      const x = (i + (c & 1)) * h - 0.5;
      const y = (j + ((c >> 1) & 1)) * h - 0.5;
      const z = (k + ((c >> 2) & 1)) * h - 0.5;
      feats[o + c] = sdf(x, y, z) + h;
      if (opts.colorLogits) {
        const [r, g, b] = opts.colorLogits(x, y, z);
        feats[o + 53 + 6 * c] = r;
        feats[o + 54 + 6 * c] = g;
        feats[o + 55 + 6 * c] = b;
      }
    }
  }
  return { resolution: res, count, channels: MESH_CHANNELS, coords: Int32Array.from(coords), feats };
}

export const sphereSdf = (r: number): Sdf => (x, y, z) => Math.hypot(x, y, z) - r;

/** Torus around the z axis: major radius R, minor radius r. */
export const torusSdf = (R: number, r: number): Sdf => (x, y, z) => Math.hypot(Math.hypot(x, y) - R, z) - r;
