// Single-precision fused multiply-add in JS, correctly rounded like C's fmaf / the FMA unit.
// a*b of two floats is exact in double (48 significant bits). The sum with c is done in double
// with round-to-odd (a sticky last bit), which makes the final rounding to float32 correct:
// plain fround(a*b + c) can double-round on exact ties.
const view = new DataView(new ArrayBuffer(8));

/** Adjust s one double ulp toward the exact value when it was rounded to an even mantissa. */
function roundToOdd(s: number, err: number): number {
  view.setFloat64(0, s);
  let hi = view.getUint32(0);
  let lo = view.getUint32(4);
  if ((lo & 1) === 1) return s;
  const awayFromZero = (err > 0) === (s > 0);
  if (awayFromZero) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
  } else {
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
  }
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}

/** fmaf(a, b, c) for float32-valued a, b, c. */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  if (!Number.isFinite(s) || s === 0) return Math.fround(s);
  // TwoSum: the exact rounding error of p + c.
  const bb = s - p;
  const err = (p - (s - bb)) + (c - bb);
  return Math.fround(err === 0 ? s : roundToOdd(s, err));
}
