// Every stream of golden/torch_rng must come out of TorchGenerator bit for bit. The case list is
// read from index.json (naming pattern of the golden README), so other golden sets work too.
import { describe, expect, it } from 'vitest';
import { readIndex, readTensor } from '../helpers/golden.ts';
import { replayTorchRng, torchRngKeys, torchRngRecipe } from '../../src/verify/rng-sampler.ts';

const index = readIndex('torch_rng');
const keys = torchRngKeys(index);

function bitMismatches(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) n++;
  return n;
}

describe('golden torch_rng', () => {
  it('lists streams', () => {
    expect(keys.length).toBeGreaterThan(0);
  });

  it.each(keys)('%s is bit-exact', (key) => {
    const ref = readTensor('torch_rng', key).data as Float32Array;
    const ours = replayTorchRng(torchRngRecipe(index, key));
    expect(ours.length).toBe(ref.length);
    expect(bitMismatches(ours, ref)).toBe(0);
  });

  it('rejects a stream name outside the documented pattern', () => {
    expect(() => torchRngRecipe({ seed1_other: { file: 'x', dtype: 'float32', shape: [3] } }, 'seed1_other')).toThrow(/unknown stream seed1_other/);
  });
});
