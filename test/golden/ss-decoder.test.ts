import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openCheckpoint } from '../../src/convert/checkpoint.ts';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { Weights, type WeightDType } from '../../src/convert/weights.ts';
import { buildSsDecoderGraph, ssDecoderConfig, ssDecoderOutputResolution } from '../../src/convert/networks/ss-decoder.ts';
import { occupancyToCoords } from '../../src/engine/sparse/occupancy.ts';
import { caseDir, compare, hasCase, readTensor } from '../helpers/golden.ts';
import { runGraph } from '../helpers/ort.ts';

const CASE = 'ss_decoder';

async function runDecoder(dtype: WeightDType) {
  const ck = openCheckpoint(path.join(caseDir(CASE), 'config.json'), path.join(caseDir(CASE), 'model.safetensors'));
  try {
    const z = readTensor(CASE, 'z');
    const cfg = ssDecoderConfig(ck.config, z.shape[2]);
    const w = new Weights(ck.source, new GraphBuilder('ss_decoder'), dtype);
    const g = buildSsDecoderGraph(w, cfg);
    w.assertAllUsed();
    const out = await runGraph(g.toBytes(), { z: { dtype: 'float32', dims: z.shape, data: z.data as Float32Array } });
    return { out, cfg };
  } finally {
    ck.close();
  }
}

describe.skipIf(!hasCase(CASE))('golden ss_decoder', () => {
  it('occupancyToCoords on the reference logits gives the reference coords exactly', () => {
    const ref = readTensor(CASE, 'out');
    const coords = occupancyToCoords(ref.data as Float32Array, ref.shape);
    expect(Array.from(coords)).toEqual(Array.from(readTensor(CASE, 'coords').data as Int32Array));
  });

  it('fp32: logits within tolerance, occupancy identical outside the tolerance band', async () => {
    const { out, cfg } = await runDecoder('fp32');
    const ref = readTensor(CASE, 'out');
    expect(out.logits.dims).toEqual(ref.shape);
    expect(ssDecoderOutputResolution(cfg)).toBe(ref.shape[2]);
    const c = compare(out.logits.data as Float32Array, ref.data as Float32Array);
    console.log(`ss_decoder fp32 logits max|err| ${c.maxAbs.toExponential(3)} rms(ref) ${c.rmsRef.toFixed(3)}`);
    expect(c.maxAbs).toBeLessThanOrEqual(1e-4 * Math.max(1, c.rmsRef));
    // A voxel's occupancy can only flip where the reference logit itself lies within the fp32
    // tolerance of 0 (this set holds a logit of -2^-24): everywhere else it must agree.
    const tol = 1e-4 * Math.max(1, c.rmsRef);
    const a = out.logits.data as Float32Array;
    const r = ref.data as Float32Array;
    const flipped: number[] = [];
    for (let i = 0; i < r.length; i++) if (a[i] > 0 !== r[i] > 0) flipped.push(i);
    console.log(`ss_decoder occupancy flips: ${flipped.length} (reference logits ${flipped.map((i) => r[i].toExponential(2)).join(', ')})`);
    for (const i of flipped) expect(Math.abs(r[i])).toBeLessThanOrEqual(tol);
    const coords = occupancyToCoords(a, out.logits.dims);
    expect(Math.abs(coords.length / 4 - readTensor(CASE, 'coords').shape[0])).toBeLessThanOrEqual(flipped.length);
  });

  it('fp16 storage: runs, drift printed and loosely bounded', async () => {
    const { out } = await runDecoder('fp16');
    const c = compare(out.logits.data as Float32Array, readTensor(CASE, 'out').data as Float32Array);
    console.log(`ss_decoder fp16 logits max|err| ${c.maxAbs.toExponential(3)} rms(ref) ${c.rmsRef.toFixed(3)}`);
    expect(c.maxAbs).toBeLessThan(0.05 * Math.max(1, c.rmsRef));
  });
});
