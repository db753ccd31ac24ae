// One lane of PyTorch's AVX2 float32 log256_ps / sincos256_ps (avx_mathfun.h, Cephes polynomials),
// with the FMA contractions the shipped x86-64 wheels were compiled with (spec pipeline.md §2).
// Every intermediate is rounded to float32 exactly where the vector code rounds.
import { fmaf } from './fmaf.ts';

const f = Math.fround;
const bits = new DataView(new ArrayBuffer(4));

const MIN_NORM_POS = f(1.1754943508222875e-38); // 0x00800000
const SQRTHF = f(0.707106781186547524);
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f);
const LOG_Q1 = f(-2.12194440e-4);
const LOG_Q2 = f(0.693359375);

const FOPI = f(1.27323954473516);
const MINUS_DP1 = f(-0.78515625);
const MINUS_DP2 = f(-2.4187564849853515625e-4);
const MINUS_DP3 = f(-3.77489497744594108e-8);
const SINCOF = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(f);
const COSCOF = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(f);

/** Natural log of a positive float32, as log256_ps computes it. */
export function logAvx(input: number): number {
  if (!(input > 0)) return input === 0 ? -Infinity : NaN; // the vector code ORs in NaN for x <= 0
  let x = Math.max(f(input), MIN_NORM_POS);
  bits.setFloat32(0, x);
  const raw = bits.getUint32(0);
  let e = f(((raw >>> 23) - 0x7f) + 1);
  bits.setUint32(0, (raw & ~0x7f800000) | 0x3f000000); // mantissa with exponent of 0.5
  x = bits.getFloat32(0);
  if (x < SQRTHF) {
    e = f(e - 1);
    x = f(f(x - 1) + x);
  } else {
    x = f(x - 1);
  }
  const z = f(x * x);
  let y = LOG_P[0];
  for (let k = 1; k < LOG_P.length; k++) y = fmaf(y, x, LOG_P[k]);
  y = f(y * x);
  y = fmaf(y, z, f(e * LOG_Q1));
  y = fmaf(z, -0.5, y);
  x = f(x + y);
  return fmaf(e, LOG_Q2, x);
}

/** sin and cos of a float32 as sincos256_ps computes them; writes [sin, cos] into out. */
export function sincosAvx(input: number, out: Float64Array | number[]): void {
  const xin = f(input);
  const negativeInput = xin < 0 || Object.is(xin, -0);
  let x = Math.abs(xin);
  let y = f(x * FOPI);
  // cvttps truncates; j = (j + 1) & ~1 as in Cephes.
  const j = ((Math.trunc(y) | 0) + 1) & ~1;
  y = j;
  const swapSignSin = (j & 4) !== 0;
  const sinPolyFirst = (j & 2) === 0;
  x = fmaf(y, MINUS_DP1, x);
  x = fmaf(y, MINUS_DP2, x);
  x = fmaf(y, MINUS_DP3, x);
  const negateCos = ((j - 2) & 4) === 0;
  const negateSin = negativeInput !== swapSignSin;

  const z = f(x * x);
  let yc = fmaf(COSCOF[0], z, COSCOF[1]);
  yc = fmaf(yc, z, COSCOF[2]);
  yc = f(yc * z);
  yc = fmaf(yc, z, -f(z * 0.5));
  yc = f(yc + 1);

  let ys = fmaf(SINCOF[0], z, SINCOF[1]);
  ys = fmaf(ys, z, SINCOF[2]);
  ys = f(ys * z);
  ys = fmaf(ys, x, x);

  const s = sinPolyFirst ? ys : yc;
  const c = sinPolyFirst ? yc : ys;
  out[0] = negateSin ? -s : s;
  out[1] = negateCos ? -c : c;
}
