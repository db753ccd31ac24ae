import { describe, expect, it } from 'vitest';
import { MT19937 } from '../../src/engine/rng/mt19937.ts';
import { TorchGenerator, torchSeedToMt } from '../../src/engine/rng/torch-generator.ts';
import { fmaf } from '../../src/engine/rng/fmaf.ts';
import { logAvx, sincosAvx } from '../../src/engine/rng/avx-mathfun.ts';

describe('MT19937', () => {
  it('matches the C++ std::mt19937 reference outputs', () => {
    // std::mt19937 default seed 5489: first output 3499211612, 10000th output 4123659995.
    const mt = new MT19937(5489);
    expect(mt.nextUint32()).toBe(3499211612);
    for (let i = 2; i < 10000; i++) mt.nextUint32();
    expect(mt.nextUint32()).toBe(4123659995);
  });

  it('rejects seeds outside 32 bits', () => {
    expect(() => new MT19937(2 ** 32)).toThrow(RangeError);
    expect(() => new MT19937(-1)).toThrow(RangeError);
  });
});

describe('torch seed handling', () => {
  it('keeps the low 32 bits, negatives as two\'s complement', () => {
    expect(torchSeedToMt(42)).toBe(42);
    expect(torchSeedToMt(2 ** 32 + 42)).toBe(42);
    expect(torchSeedToMt(-1)).toBe(0xffffffff);
    expect(torchSeedToMt(-(2n ** 63n))).toBe(0);
    expect(torchSeedToMt(2n ** 64n - 1n)).toBe(0xffffffff);
    expect(Array.from(new TorchGenerator(2n ** 32n + 7n).randn(20))).toEqual(Array.from(new TorchGenerator(7).randn(20)));
  });

  it('rejects seeds torch would reject', () => {
    expect(() => torchSeedToMt(2n ** 64n)).toThrow(/outside/);
    expect(() => torchSeedToMt(-(2n ** 63n) - 1n)).toThrow(/outside/);
    expect(() => torchSeedToMt(1.5)).toThrow(/safe integer/);
  });
});

describe('TorchGenerator state semantics', () => {
  it('carries the cached second normal of the scalar path across calls', () => {
    const a = new TorchGenerator(3);
    const joined = [...a.randn(5), ...a.randn(3)];
    expect(joined).toEqual(Array.from(new TorchGenerator(3).randn(8)));
  });

  it('leaves the cached normal alone in the vectorised path (numel >= 16)', () => {
    const a = new TorchGenerator(9);
    a.randn(5); // caches the 6th normal
    a.randn(16); // consumes 16 uniforms, no cache use
    const next = a.randn(1)[0];
    expect(next).toBe(new TorchGenerator(9).randn(6)[5]);
  });

  it('manualSeed drops the cached normal', () => {
    const a = new TorchGenerator(9);
    a.randn(5);
    a.manualSeed(9);
    expect(Array.from(a.randn(4))).toEqual(Array.from(new TorchGenerator(9).randn(4)));
  });

  it('redraws 16 fresh uniforms for a ragged tail', () => {
    const a = new TorchGenerator(11).randn(17);
    const b = new TorchGenerator(11);
    b.rand(17); // the 17 uniforms the first fill consumed
    const tail = b.randn(16);
    expect(Array.from(a.subarray(1))).toEqual(Array.from(tail));
    expect(a[0]).toBe(new TorchGenerator(11).randn(16)[0]);
  });

  it('rand gives 24-bit uniforms in [0, 1)', () => {
    const u = new TorchGenerator(1).rand([4, 250]);
    expect(u.length).toBe(1000);
    for (const v of u) {
      expect(v >= 0 && v < 1).toBe(true);
      expect(Number.isInteger(v * 2 ** 24)).toBe(true);
    }
  });

  it('rejects bad shapes', () => {
    expect(() => new TorchGenerator(0).randn([2, -1])).toThrow(/non-negative integers/);
    expect(() => new TorchGenerator(0).rand(1.5)).toThrow(/non-negative integers/);
  });
});

// Exact fmaf reference with BigInt: value = m·2^e for each float, product and sum exact, then
// round to 24 significant bits, ties to even (normal range only).
function decompose(x: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, x);
  const bits = dv.getUint32(0);
  const sign = bits >>> 31 ? -1n : 1n;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0) return [sign * BigInt(mant), -149];
  return [sign * BigInt(mant | 0x800000), exp - 150];
}
function exactFmaf(a: number, b: number, c: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  let m = ma * mb * (1n << BigInt(ep - e)) + mc * (1n << BigInt(ec - e));
  if (m === 0n) return 0;
  const neg = m < 0n;
  if (neg) m = -m;
  let exp = e;
  const bitsLen = m.toString(2).length;
  if (bitsLen > 24) {
    const drop = BigInt(bitsLen - 24);
    const q = m >> drop;
    const rem = m - (q << drop);
    const half = 1n << (drop - 1n);
    let r = q;
    if (rem > half || (rem === half && (q & 1n) === 1n)) r = q + 1n;
    m = r;
    exp += Number(drop);
  }
  const v = Number(m) * 2 ** exp;
  return Math.fround(neg ? -v : v);
}

describe('fmaf', () => {
  it('is correctly rounded on a double-rounding tie', () => {
    const a = Math.fround((1 + 2 ** -23) * 2 ** -12);
    const b = Math.fround((1 - 2 ** -23) * 2 ** -12);
    const c = 1 + 2 ** -23;
    expect(Math.fround(a * b + c)).toBe(1 + 2 ** -22); // the naive emulation rounds the wrong way
    expect(fmaf(a, b, c)).toBe(1 + 2 ** -23);
    expect(fmaf(a, b, c)).toBe(exactFmaf(a, b, c));
  });

  it('matches an exact BigInt reference on random and near-cancelling inputs', () => {
    const g = new TorchGenerator(123);
    const u = g.rand(30000);
    for (let i = 0; i < u.length; i += 3) {
      const a = Math.fround((u[i] - 0.5) * 8);
      const b = Math.fround((u[i + 1] - 0.5) * 8);
      const c = i % 2 ? Math.fround(-a * b) : Math.fround((u[i + 2] - 0.5) * 8);
      expect(fmaf(a, b, c)).toBe(exactFmaf(a, b, c));
    }
  });
});

describe('AVX2 Cephes lanes', () => {
  it('stay within a few float ulps of libm', () => {
    const g = new TorchGenerator(5);
    const u = g.rand(4000);
    const sc = [0, 0];
    for (const v of u) {
      const x = Math.fround(1 - v); // the randn argument range (0, 1]
      expect(Math.abs(logAvx(x) - Math.log(x))).toBeLessThanOrEqual(4 * 2 ** -24 * Math.max(1, Math.abs(Math.log(x))));
      const th = Math.fround(Math.fround(2 * Math.PI) * v);
      sincosAvx(th, sc);
      expect(Math.abs(sc[0] - Math.sin(th))).toBeLessThan(3e-7);
      expect(Math.abs(sc[1] - Math.cos(th))).toBeLessThan(3e-7);
    }
    expect(logAvx(1)).toBe(0);
    expect(Number.isNaN(logAvx(-1))).toBe(true);
  });
});
