import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openCheckpoint } from '../../src/convert/checkpoint.ts';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { Weights, type WeightDType } from '../../src/convert/weights.ts';
import { buildDinov2, dinov2Source } from '../../src/convert/networks/dinov2.ts';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../src/engine/preprocess/imagenet-stats.ts';
import { caseDir, compare, hasCase, readTensor } from '../helpers/golden.ts';
import { runGraph } from '../helpers/ort.ts';

const CASE = 'dinov2';

/** torchvision Normalize on a float32 [B,3,H,W] tensor: each step one float32 rounding. */
function imagenetNormalize(img: Float32Array, planeSize: number): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(img.length);
  for (let i = 0; i < img.length; i++) {
    const c = Math.floor(i / planeSize) % 3;
    out[i] = f(f(img[i] - f(IMAGENET_MEAN[c])) / f(IMAGENET_STD[c]));
  }
  return out;
}

async function runDinov2(dtype: WeightDType) {
  const ckpt = openCheckpoint(path.join(caseDir(CASE), 'config.json'), path.join(caseDir(CASE), 'model.safetensors'));
  try {
    const w = new Weights(dinov2Source(ckpt.source), new GraphBuilder('dinov2'), dtype);
    const { graph } = buildDinov2(ckpt.config.args, w, { attnQueryChunk: 512 });
    const image = readTensor(CASE, 'image');
    const [, , h, wd] = image.shape;
    const out = await runGraph(graph.toBytes(), {
      image: { dtype: 'float32', dims: image.shape, data: imagenetNormalize(image.data as Float32Array, h * wd) },
    });
    const res: Record<string, { maxAbs: number; rmsRef: number }> = {};
    for (const k of ['x_prenorm', 'cond']) {
      const ref = readTensor(CASE, k);
      expect(out[k].dims).toEqual(ref.shape);
      res[k] = compare(out[k].data as Float32Array, ref.data as Float32Array);
    }
    return res;
  } finally {
    ckpt.close();
  }
}

describe.skipIf(!hasCase(CASE))('golden dinov2', () => {
  it('matches x_prenorm and cond in fp32', async () => {
    const r = await runDinov2('fp32');
    for (const [k, v] of Object.entries(r)) {
      console.log(`dinov2 fp32 ${k}: max|err| ${v.maxAbs.toExponential(3)} rms(ref) ${v.rmsRef.toFixed(4)}`);
      expect(v.maxAbs).toBeLessThanOrEqual(1e-4 * Math.max(1, v.rmsRef));
    }
  }, 120_000);

  it('fp16-stored weights drift only slightly', async () => {
    const r = await runDinov2('fp16');
    for (const [k, v] of Object.entries(r)) {
      console.log(`dinov2 fp16 weights ${k}: max|err| ${v.maxAbs.toExponential(3)} rms(ref) ${v.rmsRef.toFixed(4)}`);
      expect(v.maxAbs).toBeLessThanOrEqual(5e-2 * Math.max(1, v.rmsRef));
    }
  }, 120_000);
});
