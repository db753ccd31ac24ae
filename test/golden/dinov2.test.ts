import { describe, it } from 'vitest';
import { hasCase } from '../helpers/golden.ts';
import { expectNetworkCase, FP16_DRIFT } from './network-case.ts';

const CASE = 'dinov2';
const TENSORS = ['x_prenorm', 'cond'];

describe.skipIf(!hasCase(CASE))('golden dinov2', () => {
  it('matches x_prenorm and cond in fp32', async () => {
    await expectNetworkCase(CASE, 'fp32', { graph: { attnQueryChunk: 512 } }, TENSORS);
  });

  it('fp16-stored weights drift only slightly', async () => {
    await expectNetworkCase(CASE, 'fp16 weights', { ...FP16_DRIFT, graph: { attnQueryChunk: 512 } }, TENSORS);
  });
});
