// The golden network tests run `verify`'s own per-network runner (src/verify/networks.ts), so one
// runner exists: each compared tensor is printed and must be within its tolerance
// (max|err| <= tol * max(1, rms(ref)); exact for coords), and the tensors a test names must
// actually have been compared.
import { expect } from 'vitest';
import { verifyNetworkCase, type NetworkVerifyOptions } from '../../src/verify/networks.ts';
import type { VerifyRow } from '../../src/verify/types.ts';
import { goldenRoot } from '../helpers/golden.ts';

/** fp16-stored weights: drift is printed and loosely bounded. */
export const FP16_DRIFT: NetworkVerifyOptions = { dtype: 'fp16', tol: 5e-2 };

const compares = (r: VerifyRow, tensor: string) => r.tensor === tensor || r.tensor.startsWith(`${tensor} (`);

export async function expectNetworkCase(caseName: string, label: string, opts: NetworkVerifyOptions, mustCompare: readonly string[]): Promise<VerifyRow[]> {
  const rows = await verifyNetworkCase(goldenRoot, caseName, opts);
  for (const r of rows) {
    console.log(`${caseName} ${label} ${r.tensor}: max|err| ${r.maxAbs.toExponential(3)} rms(ref) ${r.rmsRef.toFixed(4)} limit ${r.tol.toExponential(2)}`);
  }
  for (const t of mustCompare) expect(rows.some((r) => compares(r, t)), `${caseName}: ${t} was not compared`).toBe(true);
  for (const r of rows) {
    expect(r.maxAbs, `${caseName} ${label} ${r.tensor}`).toBeLessThanOrEqual(r.tol);
    expect(r.pass, `${caseName} ${label} ${r.tensor}`).toBe(true);
  }
  return rows;
}
