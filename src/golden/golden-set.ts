// Reads the golden vector sets (layout: ../shared/golden/README.md). The set to use comes from
// TRELLIS_GOLDEN (any set of the same layout) or defaults to ../shared/golden beside the repo.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export let goldenRoot = process.env.TRELLIS_GOLDEN
  ? path.resolve(process.env.TRELLIS_GOLDEN)
  : path.resolve(repoRoot, '../shared/golden');

/** Point the reader at another golden set (the CLI's `verify <dir>`). */
export function setGoldenRoot(dir: string): void {
  goldenRoot = path.resolve(dir);
}

export type GoldenArray = Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array;
export interface GoldenTensor {
  dtype: string;
  shape: number[];
  data: GoldenArray;
}

export function caseDir(name: string): string {
  return path.join(goldenRoot, name);
}

export function hasCase(name: string): boolean {
  return existsSync(path.join(caseDir(name), 'index.json'));
}

export function readIndex(name: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(caseDir(name), 'index.json'), 'utf8'));
}

export function readTensor(name: string, key: string): GoldenTensor {
  const entry = readIndex(name)[key];
  if (!entry || !entry.file) throw new Error(`golden case ${name} has no tensor ${key}`);
  const buf = readFileSync(path.join(caseDir(name), entry.file));
  const bytes = new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const ctor: Record<string, any> = {
    float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array, int64: BigInt64Array,
  };
  const C = ctor[entry.dtype];
  if (!C) throw new Error(`unsupported golden dtype ${entry.dtype}`);
  return { dtype: entry.dtype, shape: entry.shape, data: new C(bytes.buffer) };
}

/** max |a-b| and rms(b): the golden tolerance is max|err| <= tol * max(1, rms(ref)). */
export function compare(actual: ArrayLike<number>, ref: ArrayLike<number>): { maxAbs: number; rmsRef: number } {
  if (actual.length !== ref.length) throw new Error(`length ${actual.length} != reference ${ref.length}`);
  let maxAbs = 0;
  let ss = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(actual[i] - ref[i]);
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
    ss += ref[i] * ref[i];
  }
  return { maxAbs, rmsRef: Math.sqrt(ss / Math.max(1, ref.length)) };
}
