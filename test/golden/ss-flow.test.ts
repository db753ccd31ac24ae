import { describe, it } from 'vitest';
import { hasCase } from '../helpers/golden.ts';
import { expectNetworkCase, FP16_DRIFT } from './network-case.ts';

const CASE = 'ss_flow';

describe.skipIf(!hasCase(CASE))('golden ss_flow', () => {
  for (const impl of ['mha', 'matmul'] as const) {
    it(`matches the reference in fp32 (${impl}, query blocks of 1000 over 4096 tokens)`, async () => {
      await expectNetworkCase(CASE, `fp32 ${impl}`, { graph: { attnImpl: impl, attnQueryChunk: 1000 } }, ['out']);
    });
  }

  it('fp16-stored weights drift only slightly', async () => {
    await expectNetworkCase(CASE, 'fp16 weights', { ...FP16_DRIFT, graph: { attnQueryChunk: 2048 } }, ['out']);
  });
});
