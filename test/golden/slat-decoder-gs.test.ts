import { describe, it } from 'vitest';
import { hasCase } from '../helpers/golden.ts';
import { expectNetworkCase, FP16_DRIFT } from './network-case.ts';

const CASE = 'slat_decoder_gs';

describe.skipIf(!hasCase(CASE))('golden slat_decoder_gs', () => {
  it('fp32: raw features and Gaussian parameters match the reference', async () => {
    await expectNetworkCase(CASE, 'fp32', {}, ['out_coords', 'out_feats', 'gs_xyz', 'gs_features_dc', 'gs_scaling', 'gs_rotation', 'gs_opacity']);
  });

  it('fp16 storage: runs, drift printed and loosely bounded', async () => {
    await expectNetworkCase(CASE, 'fp16 weights', FP16_DRIFT, ['out_feats']);
  });
});
