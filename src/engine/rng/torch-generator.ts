// PyTorch's CPU default generator (CPUGeneratorImpl) for the draws TRELLIS makes:
// torch.manual_seed, torch.randn (float32) and torch.rand (float32).
import { MT19937 } from './mt19937.ts';
import { logAvx, sincosAvx } from './avx-mathfun.ts';

const f = Math.fround;
const TWO_PI_F32 = f(2 * Math.PI);
const U24 = 2 ** -24;
const U53 = 2 ** -53;
/** torch.randn switches to the vectorised 16-lane fill at this numel (float32, contiguous). */
const VECTOR_MIN_NUMEL = 16;

/**
 * The 32-bit MT seed torch uses for manual_seed(seed): torch takes any integer in
 * [-2^63, 2^64), reinterprets negatives as uint64 (two's complement) and keeps the low 32 bits.
 */
export function torchSeedToMt(seed: number | bigint): number {
  let big: bigint;
  if (typeof seed === 'bigint') big = seed;
  else if (Number.isSafeInteger(seed)) big = BigInt(seed);
  else throw new RangeError(`seed must be a safe integer or a bigint, got ${seed}`);
  if (big < -(2n ** 63n) || big >= 2n ** 64n) {
    throw new RangeError(`seed ${big} is outside torch's accepted range [-2^63, 2^64)`);
  }
  return Number(BigInt.asUintN(32, big));
}

function numelOf(shape: number[] | number): number {
  const dims = typeof shape === 'number' ? [shape] : shape;
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`shape dims must be non-negative integers, got [${dims.join(', ')}]`);
    n *= d;
  }
  return n;
}

export class TorchGenerator {
  private engine: MT19937;
  /** Second Box–Muller value of the float64 scalar path, kept between calls as torch does. */
  private cachedNormal: number | null = null;
  private readonly sc = new Float64Array(2);

  /** Same as torch.manual_seed(seed) on a fresh CPU generator. */
  constructor(seed: number | bigint) {
    this.engine = new MT19937(torchSeedToMt(seed));
  }

  /** torch.manual_seed(seed): reseeds and drops the cached normal. */
  manualSeed(seed: number | bigint): void {
    this.engine = new MT19937(torchSeedToMt(seed));
    this.cachedNormal = null;
  }

  private uniformF32(): number {
    return (this.engine.nextUint32() & 0xffffff) * U24;
  }

  private uniformF64(): number {
    const hi = this.engine.nextUint32();
    const lo = this.engine.nextUint32();
    // ((hi << 32 | lo) & (2^53 - 1)) * 2^-53, exact in double.
    return ((hi & 0x1fffff) * 4294967296 + lo) * U53;
  }

  /** at::normal_distribution<double>(0, 1) with its cached second value. */
  private normalF64(): number {
    if (this.cachedNormal !== null) {
      const v = this.cachedNormal;
      this.cachedNormal = null;
      return v;
    }
    const u1 = this.uniformF64();
    const u2 = this.uniformF64();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.cachedNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Box–Muller on 16 uniforms in place, pairing lane j with j + 8 (normal_fill_16_AVX2). */
  private transform16(d: Float32Array, o: number): void {
    const sc = this.sc;
    for (let j = 0; j < 8; j++) {
      const u1 = f(1 - d[o + j]);
      const u2 = d[o + j + 8];
      const radius = f(Math.sqrt(f(-2 * logAvx(u1))));
      sincosAvx(f(TWO_PI_F32 * u2), sc);
      d[o + j] = radius * sc[1];
      d[o + j + 8] = radius * sc[0];
    }
  }

  /** torch.randn(shape) as float32 in C order. */
  randn(shape: number[] | number): Float32Array {
    const n = numelOf(shape);
    const out = new Float32Array(n);
    if (n < VECTOR_MIN_NUMEL) {
      for (let i = 0; i < n; i++) out[i] = this.normalF64();
      return out;
    }
    // normal_fill: all uniforms first, then full 16-blocks; a ragged tail redraws 16 fresh
    // uniforms into the last 16 slots and transforms them as one block.
    for (let i = 0; i < n; i++) out[i] = this.uniformF32();
    for (let i = 0; i + 16 <= n; i += 16) this.transform16(out, i);
    if (n % 16 !== 0) {
      const o = n - 16;
      for (let i = 0; i < 16; i++) out[o + i] = this.uniformF32();
      this.transform16(out, o);
    }
    return out;
  }

  /** torch.rand(shape) as float32: one 32-bit draw per value, 24 bits of mantissa. */
  rand(shape: number[] | number): Float32Array {
    const n = numelOf(shape);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniformF32();
    return out;
  }
}
