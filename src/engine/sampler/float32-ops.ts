// Element-wise tensor ops as torch runs them on float32 CPU tensors with a Python-float scalar:
// the scalar is cast to float32 first and every op result is rounded to float32 (no FMA across
// separate torch ops).
const f = Math.fround;

/** s·a, float32. */
export function scale(s: number, a: Float32Array): Float32Array {
  const sf = f(s);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = sf * a[i];
  return out;
}

/** a − s·b, the product rounded to float32 before the subtraction. */
export function subtractScaled(a: Float32Array, s: number, b: Float32Array): Float32Array {
  const sf = f(s);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - f(sf * b[i]);
  return out;
}

/** acc += a in place (float32). */
export function addInPlace(acc: Float32Array, a: Float32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] = acc[i] + a[i];
}

/** a / d in place (float32 true division). */
export function divideInPlace(a: Float32Array, d: number): void {
  const df = f(d);
  for (let i = 0; i < a.length; i++) a[i] = a[i] / df;
}
