import { describe, expect, it } from 'vitest';
import { occupancyToCoords } from '../../src/engine/sparse/occupancy.ts';
import { hasCase, readTensor } from '../helpers/golden.ts';
import { expectNetworkCase, FP16_DRIFT } from './network-case.ts';

const CASE = 'ss_decoder';

describe.skipIf(!hasCase(CASE))('golden ss_decoder', () => {
  it('occupancyToCoords on the reference logits gives the reference coords exactly', () => {
    const ref = readTensor(CASE, 'out');
    const coords = occupancyToCoords(ref.data as Float32Array, ref.shape);
    expect(Array.from(coords)).toEqual(Array.from(readTensor(CASE, 'coords').data as Int32Array));
  });

  // A voxel's occupancy can only flip where the reference logit itself lies within the
  // tolerance of 0 (this set holds a logit of -2^-24): the coords row fails on any other flip.
  it('fp32: logits within tolerance, occupancy identical outside the tolerance band', async () => {
    await expectNetworkCase(CASE, 'fp32', {}, ['out', 'coords']);
  });

  it('fp16 storage: runs, drift printed and loosely bounded', async () => {
    await expectNetworkCase(CASE, 'fp16 weights', FP16_DRIFT, ['out']);
  });
});
