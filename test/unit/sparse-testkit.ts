// Shared fixtures of the sparse unit tests: reproducible random voxels and an in-memory state dict.
import type { StateDictSource } from '../../src/convert/weights.ts';

/** Deterministic LCG so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

/** n distinct random voxels in [0,res)³ over `batches` items; rows grouped by batch, shuffled inside. */
export function randomCoords(n: number, res: number, batches: number, seed: number): Int32Array {
  const r = rng(seed);
  const seen = new Set<string>();
  const rows: number[][] = [];
  while (rows.length < n) {
    const c = [Math.floor(r() * batches), Math.floor(r() * res), Math.floor(r() * res), Math.floor(r() * res)];
    const key = c.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push(c);
  }
  const keyed = rows.map((c) => ({ c, t: r() }));
  keyed.sort((a, b) => a.c[0] - b.c[0] || a.t - b.t);
  return Int32Array.from(keyed.flatMap((x) => x.c));
}

export class MemoryStateDict implements StateDictSource {
  readonly label = 'memory';
  constructor(private readonly tensors: Record<string, { shape: number[]; data: Float32Array }>) {}
  keys(): string[] {
    return Object.keys(this.tensors);
  }
  shape(key: string): number[] {
    return this.tensors[key].shape;
  }
  float32(key: string): Float32Array {
    return Float32Array.from(this.tensors[key].data);
  }
}
