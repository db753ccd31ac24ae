import { describe, it } from 'vitest';
import type { GraphOptions } from '../../src/convert/networks/registry.ts';
import { hasCase } from '../helpers/golden.ts';
import { expectNetworkCase, FP16_DRIFT } from './network-case.ts';

const CASE = 'slat_flow';
// The output rows are the input rows: out_coords must equal the input coords exactly.
const TENSORS = ['out_coords', 'out_feats'];

describe.skipIf(!hasCase(CASE))('golden slat_flow', () => {
  const cases: [string, GraphOptions][] = [
    ['matmul, 7 query pieces sized from the runtime token count', { attnImpl: 'matmul', attnQuerySlices: 7 }],
    ['matmul, default (attention pieces from the token bound, accumulated sparse conv)', { attnImpl: 'matmul' }],
    ['matmul, one head per attention piece', { attnImpl: 'matmul', attnHeadsPerPiece: 1 }],
    ['matmul, gathered sparse conv', { attnImpl: 'matmul', convMode: 'gather-all' }],
    ['matmul, more query pieces than tokens (zero-padded pieces)', { attnImpl: 'matmul', attnQuerySlices: 150 }],
    ['mha, one query piece', { attnImpl: 'mha', attnQuerySlices: 1 }],
  ];
  for (const [name, graph] of cases) {
    it(`matches the reference in fp32 (${name})`, async () => {
      await expectNetworkCase(CASE, `fp32 ${name}`, { graph }, TENSORS);
    });
  }

  it('fp16-stored weights drift only slightly', async () => {
    await expectNetworkCase(CASE, 'fp16 weights', { ...FP16_DRIFT, graph: { attnQuerySlices: 2 } }, TENSORS);
  });
});
