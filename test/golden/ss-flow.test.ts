import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openCheckpoint } from '../../src/convert/checkpoint.ts';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { Weights, type WeightDType } from '../../src/convert/weights.ts';
import { buildSsFlow } from '../../src/convert/networks/ss-flow.ts';
import type { ConvertOptions } from '../../src/convert/networks/network-io.ts';
import { caseDir, compare, hasCase, readTensor } from '../helpers/golden.ts';
import { runGraph } from '../helpers/ort.ts';

const CASE = 'ss_flow';

async function runSsFlow(dtype: WeightDType, opts: ConvertOptions) {
  const ckpt = openCheckpoint(path.join(caseDir(CASE), 'config.json'), path.join(caseDir(CASE), 'model.safetensors'));
  try {
    const w = new Weights(ckpt.source, new GraphBuilder('ss_flow'), dtype);
    const { graph } = buildSsFlow(ckpt.config.args, w, opts);
    const x = readTensor(CASE, 'x');
    const t = readTensor(CASE, 't');
    const cond = readTensor(CASE, 'cond');
    const out = await runGraph(graph.toBytes(), {
      x: { dtype: 'float32', dims: x.shape, data: x.data as Float32Array },
      t: { dtype: 'float32', dims: t.shape, data: t.data as Float32Array },
      cond: { dtype: 'float32', dims: cond.shape, data: cond.data as Float32Array },
    });
    expect(out.v.dims).toEqual(readTensor(CASE, 'out').shape);
    return compare(out.v.data as Float32Array, readTensor(CASE, 'out').data as Float32Array);
  } finally {
    ckpt.close();
  }
}

describe.skipIf(!hasCase(CASE))('golden ss_flow', () => {
  for (const impl of ['mha', 'matmul'] as const) {
    it(`matches the reference in fp32 (${impl}, query blocks of 1000 over 4096 tokens)`, async () => {
      const r = await runSsFlow('fp32', { attnImpl: impl, attnQueryChunk: 1000 });
      console.log(`ss_flow fp32 ${impl}: max|err| ${r.maxAbs.toExponential(3)} rms(ref) ${r.rmsRef.toFixed(4)}`);
      expect(r.maxAbs).toBeLessThanOrEqual(1e-4 * Math.max(1, r.rmsRef));
    }, 120_000);
  }

  it('fp16-stored weights drift only slightly', async () => {
    const r = await runSsFlow('fp16', { attnQueryChunk: 2048 });
    console.log(`ss_flow fp16 weights: max|err| ${r.maxAbs.toExponential(3)} rms(ref) ${r.rmsRef.toFixed(4)}`);
    expect(r.maxAbs).toBeLessThanOrEqual(5e-2 * Math.max(1, r.rmsRef));
  }, 120_000);
});
