// MT19937 (32-bit Mersenne Twister) as PyTorch's CPU generator runs it (ATen MT19937RNGEngine):
// standard initialisation from the low 32 bits of the seed, standard twist and tempering.
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  private readonly state = new Uint32Array(N);
  private next = N;

  constructor(seed32: number) {
    if (!Number.isInteger(seed32) || seed32 < 0 || seed32 > 0xffffffff) {
      throw new RangeError(`MT19937 seed must be an integer in [0, 2^32), got ${seed32}`);
    }
    const s = this.state;
    s[0] = seed32;
    for (let i = 1; i < N; i++) {
      const prev = s[i - 1] ^ (s[i - 1] >>> 30);
      // 1812433253 * prev mod 2^32 without losing bits in double arithmetic.
      s[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.next = N;
  }

  private twist(): void {
    const s = this.state;
    for (let i = 0; i < N; i++) {
      const y = (s[i] & UPPER_MASK) | (s[(i + 1) % N] & LOWER_MASK);
      s[i] = s[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.next = 0;
  }

  /** Next tempered 32-bit output, as an unsigned number. */
  nextUint32(): number {
    if (this.next >= N) this.twist();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}
