import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openCheckpoint } from '../../src/convert/checkpoint.ts';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { Weights, type WeightDType } from '../../src/convert/weights.ts';
import { buildSlatFlow, slatFlowIndexInputs, type SlatFlowConvertOptions } from '../../src/convert/networks/slat-flow.ts';
import { caseDir, compare, hasCase, readTensor } from '../helpers/golden.ts';
import { runGraph, type Feed } from '../helpers/ort.ts';

const CASE = 'slat_flow';

async function runSlatFlow(dtype: WeightDType, opts: SlatFlowConvertOptions) {
  const ckpt = openCheckpoint(path.join(caseDir(CASE), 'config.json'), path.join(caseDir(CASE), 'model.safetensors'));
  try {
    const w = new Weights(ckpt.source, new GraphBuilder('slat_flow'), dtype);
    const { graph } = buildSlatFlow(ckpt.config.args, w, opts);
    const coords = readTensor(CASE, 'coords');
    const feats = readTensor(CASE, 'feats');
    const t = readTensor(CASE, 't');
    const cond = readTensor(CASE, 'cond');
    const n = coords.shape[0];
    const feeds: Record<string, Feed> = {
      feats: { dtype: 'float32', dims: feats.shape, data: feats.data as Float32Array },
      t: { dtype: 'float32', dims: t.shape, data: t.data as Float32Array },
      cond: { dtype: 'float32', dims: cond.shape, data: cond.data as Float32Array },
      ...(slatFlowIndexInputs(coords.data as Int32Array, n) as Record<string, Feed>),
    };
    const out = await runGraph(graph.toBytes(), feeds);
    // The output rows are the input rows: same coords, same order.
    expect(Array.from(readTensor(CASE, 'out_coords').data as Int32Array)).toEqual(Array.from(coords.data as Int32Array));
    const ref = readTensor(CASE, 'out_feats');
    expect(out.v.dims).toEqual(ref.shape);
    return compare(out.v.data as Float32Array, ref.data as Float32Array);
  } finally {
    ckpt.close();
  }
}

describe.skipIf(!hasCase(CASE))('golden slat_flow', () => {
  const cases: [string, SlatFlowConvertOptions][] = [
    ['matmul, 7 query pieces sized from the runtime token count', { attnImpl: 'matmul', attnQuerySlices: 7 }],
    ['matmul, default query pieces', { attnImpl: 'matmul' }],
    ['matmul, more query pieces than tokens (zero-padded pieces)', { attnImpl: 'matmul', attnQuerySlices: 150 }],
    ['mha, one query piece, accumulated sparse conv', { attnImpl: 'mha', attnQuerySlices: 1, convMode: 'accumulate' }],
  ];
  for (const [name, opts] of cases) {
    it(`matches the reference in fp32 (${name})`, async () => {
      const r = await runSlatFlow('fp32', opts);
      console.log(`slat_flow fp32 ${name}: max|err| ${r.maxAbs.toExponential(3)} rms(ref) ${r.rmsRef.toFixed(4)}`);
      expect(r.maxAbs).toBeLessThanOrEqual(1e-4 * Math.max(1, r.rmsRef));
    }, 120_000);
  }

  it('fp16-stored weights drift only slightly', async () => {
    const r = await runSlatFlow('fp16', { attnQuerySlices: 2 });
    console.log(`slat_flow fp16 weights: max|err| ${r.maxAbs.toExponential(3)} rms(ref) ${r.rmsRef.toFixed(4)}`);
    expect(r.maxAbs).toBeLessThanOrEqual(5e-2 * Math.max(1, r.rmsRef));
  }, 120_000);
});
