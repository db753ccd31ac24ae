import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openCheckpoint } from '../../src/convert/checkpoint.ts';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { Weights, type WeightDType } from '../../src/convert/weights.ts';
import { buildGsDecoderGraph, gsDecoderConfig } from '../../src/convert/networks/slat-decoder-gs.ts';
import { trunkIndexInputs } from '../../src/engine/sparse/decoder-feeds.ts';
import { decodeGaussians } from '../../src/engine/gaussians.ts';
import { caseDir, compare, hasCase, readTensor } from '../helpers/golden.ts';
import { runGraph, type Feed } from '../helpers/ort.ts';

const CASE = 'slat_decoder_gs';

async function runDecoder(dtype: WeightDType) {
  const ck = openCheckpoint(path.join(caseDir(CASE), 'config.json'), path.join(caseDir(CASE), 'model.safetensors'));
  try {
    const cfg = gsDecoderConfig(ck.config);
    const w = new Weights(ck.source, new GraphBuilder('slat_decoder_gs'), dtype);
    const g = buildGsDecoderGraph(w, cfg);
    w.assertAllUsed();
    const coords = readTensor(CASE, 'coords');
    const feats = readTensor(CASE, 'feats');
    const n = coords.shape[0];
    const feeds: Record<string, Feed> = { ...trunkIndexInputs(coords.data as Int32Array, n, { resolution: cfg.resolution, windowSize: cfg.windowSize, swinGroups: cfg.swinGroups, numBlocks: cfg.numBlocks }) };
    feeds.feats = { dtype: 'float32', dims: feats.shape, data: feats.data as Float32Array };
    const out = await runGraph(g.toBytes(), feeds);
    return { out, cfg, config: ck.config, coords: coords.data as Int32Array, n };
  } finally {
    ck.close();
  }
}

describe.skipIf(!hasCase(CASE))('golden slat_decoder_gs', () => {
  it('fp32: raw features and Gaussian parameters match the reference', async () => {
    const { out, config, coords, n } = await runDecoder('fp32');
    const ref = readTensor(CASE, 'out_feats');
    const c = compare(out.out_feats.data as Float32Array, ref.data as Float32Array);
    console.log(`slat_decoder_gs fp32 out_feats max|err| ${c.maxAbs.toExponential(3)} rms(ref) ${c.rmsRef.toFixed(3)}`);
    expect(c.maxAbs).toBeLessThanOrEqual(1e-4 * Math.max(1, c.rmsRef));
    expect(Array.from(readTensor(CASE, 'out_coords').data as Int32Array)).toEqual(Array.from(coords));

    const gs = decodeGaussians(out.out_feats.data as Float32Array, coords, n, { resolution: config.args.resolution, representation: config.args.representation_config }, out.offset_perturbation.data as Float32Array);
    const fields: [string, Float32Array][] = [['gs_xyz', gs.xyz], ['gs_features_dc', gs.featuresDc], ['gs_scaling', gs.scaling], ['gs_rotation', gs.rotation], ['gs_opacity', gs.opacity]];
    for (const [key, value] of fields) {
      const r = compare(value, readTensor(CASE, key).data as Float32Array);
      console.log(`  ${key} max|err| ${r.maxAbs.toExponential(3)} rms(ref) ${r.rmsRef.toFixed(4)}`);
      expect(r.maxAbs).toBeLessThanOrEqual(1e-4 * Math.max(1, r.rmsRef));
    }
  });

  it('fp16 storage: runs, drift printed and loosely bounded', async () => {
    const { out } = await runDecoder('fp16');
    const c = compare(out.out_feats.data as Float32Array, readTensor(CASE, 'out_feats').data as Float32Array);
    console.log(`slat_decoder_gs fp16 out_feats max|err| ${c.maxAbs.toExponential(3)} rms(ref) ${c.rmsRef.toFixed(3)}`);
    expect(c.maxAbs).toBeLessThan(0.05 * Math.max(1, c.rmsRef));
  });
});
