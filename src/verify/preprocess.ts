// `verify` for the preprocess golden set: runs preprocess_image on every inputN_rgba listed in
// the set's index.json and compares with outputN_rgb. uint8 outputs must match exactly (tol 0).
import { compare, readIndex, readTensor, setGoldenRoot } from '../golden/golden-set.ts';
import { preprocessImage } from '../engine/preprocess/preprocess-image.ts';
import type { VerifyRow } from './types.ts';

const CASE = 'preprocess';

export interface PreprocessPair {
  input: string;
  output: string;
}

/** inputN_rgba / outputN_rgb pairs from an index.json, in N order; an input without its output
 *  (or the reverse) is an error in the golden set, not something to skip. */
export function preprocessPairs(index: Record<string, unknown>): PreprocessPair[] {
  const inputs = new Map<string, string>();
  const outputs = new Map<string, string>();
  for (const key of Object.keys(index)) {
    const mi = /^input(\d+)_rgba$/.exec(key);
    const mo = /^output(\d+)_rgb$/.exec(key);
    if (mi) inputs.set(mi[1], key);
    if (mo) outputs.set(mo[1], key);
  }
  for (const n of inputs.keys()) if (!outputs.has(n)) throw new Error(`golden preprocess: input${n}_rgba has no output${n}_rgb`);
  for (const n of outputs.keys()) if (!inputs.has(n)) throw new Error(`golden preprocess: output${n}_rgb has no input${n}_rgba`);
  return [...inputs.keys()]
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => ({ input: inputs.get(n)!, output: outputs.get(n)! }));
}

export async function verifyPreprocess(goldenDir: string): Promise<VerifyRow[]> {
  setGoldenRoot(goldenDir);
  const rows: VerifyRow[] = [];
  for (const { input, output } of preprocessPairs(readIndex(CASE))) {
    const inp = readTensor(CASE, input);
    const ref = readTensor(CASE, output);
    const [h, w, c] = inp.shape;
    if (inp.dtype !== 'uint8' || c !== 4) throw new Error(`golden preprocess: ${input} must be uint8 HxWx4, got ${inp.dtype} [${inp.shape}]`);
    const out = await preprocessImage({ width: w, height: h, data: inp.data as Uint8Array });
    const sameShape = out.height === ref.shape[0] && out.width === ref.shape[1] && ref.shape[2] === 3;
    const { maxAbs, rmsRef } = sameShape ? compare(out.data, ref.data as Uint8Array) : { maxAbs: Infinity, rmsRef: NaN };
    rows.push({ case: CASE, tensor: output, maxAbs, rmsRef, tol: 0, pass: sameShape && maxAbs === 0 });
  }
  return rows;
}
