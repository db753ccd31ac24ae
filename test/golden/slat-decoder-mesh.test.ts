import { describe, it } from 'vitest';
import { hasCase } from '../helpers/golden.ts';
import { expectNetworkCase, FP16_DRIFT } from './network-case.ts';

const CASE = 'slat_decoder_mesh';
const TENSORS = ['out_coords', 'out_feats'];

describe.skipIf(!hasCase(CASE))('golden slat_decoder_mesh', () => {
  it('fp32: output coords identical, raw features within tolerance', async () => {
    await expectNetworkCase(CASE, 'fp32 single graph', { meshGraph: 'single' }, TENSORS);
  });

  it('fp16 storage: runs, drift printed and loosely bounded', async () => {
    await expectNetworkCase(CASE, 'fp16 weights single graph', { ...FP16_DRIFT, meshGraph: 'single' }, TENSORS);
  });
});

describe.skipIf(!hasCase(CASE))('golden slat_decoder_mesh, chunked finest stage', () => {
  it('head + stats/tail chunks reproduce the reference out_feats', async () => {
    await expectNetworkCase(CASE, 'fp32 chunked', { meshGraph: 'chunked', meshParentsPerChunk: 700 }, [...TENSORS, 'tail chunks']);
  });
});
