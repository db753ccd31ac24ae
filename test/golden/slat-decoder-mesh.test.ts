import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openCheckpoint } from '../../src/convert/checkpoint.ts';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { Weights, type WeightDType } from '../../src/convert/weights.ts';
import { assertAllUsedAcross, buildMeshDecoderGraph, buildMeshDecoderHeadGraph, buildMeshDecoderStatsGraph, buildMeshDecoderTailGraph, meshDecoderConfig } from '../../src/convert/networks/slat-decoder-mesh.ts';
import { runMeshTailChunked } from '../../src/engine/sparse/mesh-chunks.ts';
import { meshDecoderHeadIndexInputs, meshDecoderIndexInputs, meshDecoderOutputCoords } from '../../src/engine/sparse/decoder-feeds.ts';
import { caseDir, compare, hasCase, readTensor } from '../helpers/golden.ts';
import { runGraph, type Feed } from '../helpers/ort.ts';

const CASE = 'slat_decoder_mesh';

async function runDecoder(dtype: WeightDType) {
  const ck = openCheckpoint(path.join(caseDir(CASE), 'config.json'), path.join(caseDir(CASE), 'model.safetensors'));
  try {
    const cfg = meshDecoderConfig(ck.config);
    const w = new Weights(ck.source, new GraphBuilder('slat_decoder_mesh'), dtype);
    const g = buildMeshDecoderGraph(w, cfg);
    w.assertAllUsed();
    const coords = readTensor(CASE, 'coords');
    const feats = readTensor(CASE, 'feats');
    const n = coords.shape[0];
    const feeds: Record<string, Feed> = { ...meshDecoderIndexInputs(coords.data as Int32Array, n, { resolution: cfg.resolution, windowSize: cfg.windowSize, swinGroups: cfg.swinGroups, numBlocks: cfg.numBlocks }) };
    feeds.feats = { dtype: 'float32', dims: feats.shape, data: feats.data as Float32Array };
    const out = await runGraph(g.toBytes(), feeds);
    return { out, coords: coords.data as Int32Array, n };
  } finally {
    ck.close();
  }
}

describe.skipIf(!hasCase(CASE))('golden slat_decoder_mesh', () => {
  it('fp32: output coords identical, raw features within tolerance', async () => {
    const { out, coords, n } = await runDecoder('fp32');
    expect(Array.from(meshDecoderOutputCoords(coords, n))).toEqual(Array.from(readTensor(CASE, 'out_coords').data as Int32Array));
    const c = compare(out.out_feats.data as Float32Array, readTensor(CASE, 'out_feats').data as Float32Array);
    console.log(`slat_decoder_mesh fp32 out_feats max|err| ${c.maxAbs.toExponential(3)} rms(ref) ${c.rmsRef.toFixed(3)}`);
    expect(c.maxAbs).toBeLessThanOrEqual(1e-4 * Math.max(1, c.rmsRef));
  });

  it('fp16 storage: runs, drift printed and loosely bounded', async () => {
    const { out } = await runDecoder('fp16');
    const c = compare(out.out_feats.data as Float32Array, readTensor(CASE, 'out_feats').data as Float32Array);
    console.log(`slat_decoder_mesh fp16 out_feats max|err| ${c.maxAbs.toExponential(3)} rms(ref) ${c.rmsRef.toFixed(3)}`);
    expect(c.maxAbs).toBeLessThan(0.05 * Math.max(1, c.rmsRef));
  });
});

describe.skipIf(!hasCase(CASE))('golden slat_decoder_mesh, chunked finest stage', () => {
  it('head + stats/tail chunks reproduce the reference out_feats', async () => {
    const ck = openCheckpoint(path.join(caseDir(CASE), 'config.json'), path.join(caseDir(CASE), 'model.safetensors'));
    try {
      const cfg = meshDecoderConfig(ck.config);
      const build = (name: string, fn: (w: Weights) => GraphBuilder) => {
        const w = new Weights(ck.source, new GraphBuilder(name), 'fp32');
        return { w, bytes: fn(w).toBytes() };
      };
      const head = build('mesh_head', (w) => buildMeshDecoderHeadGraph(w, cfg));
      const stats = build('mesh_stats', (w) => buildMeshDecoderStatsGraph(w, cfg));
      const tail = build('mesh_tail', (w) => buildMeshDecoderTailGraph(w, cfg));
      assertAllUsedAcross([head.w, stats.w, tail.w]);

      const coords = readTensor(CASE, 'coords');
      const feats = readTensor(CASE, 'feats');
      const n = coords.shape[0];
      const { feeds, nbrSub1 } = meshDecoderHeadIndexInputs(coords.data as Int32Array, n, { resolution: cfg.resolution, windowSize: cfg.windowSize, swinGroups: cfg.swinGroups, numBlocks: cfg.numBlocks });
      const headOut = await runGraph(head.bytes, { ...feeds, feats: { dtype: 'float32', dims: feats.shape, data: feats.data as Float32Array } } as Record<string, Feed>);
      const C = cfg.modelChannels;
      let chunks = 0;
      const out = await runMeshTailChunked(
        { hSub1: headOut.h_sub1.data as Float32Array, aSub1: headOut.a_sub1.data as Float32Array, nSub1: 8 * n, c1: C / 4, c2: C / 8, outChannels: cfg.outChannels, nbrSub1, parentsPerChunk: 700 },
        {
          stats: async (f) => {
            const o = await runGraph(stats.bytes, f as Record<string, Feed>);
            return { sum: o.gn_sum.data as Float32Array, sumsq: o.gn_sumsq.data as Float32Array };
          },
          tail: async (f) => {
            chunks++;
            return (await runGraph(tail.bytes, f as Record<string, Feed>)).out_feats.data as Float32Array;
          },
        },
      );
      expect(chunks).toBe(Math.ceil((8 * n) / 700));
      const c = compare(out, readTensor(CASE, 'out_feats').data as Float32Array);
      console.log(`slat_decoder_mesh chunked (${chunks} chunks) fp32 out_feats max|err| ${c.maxAbs.toExponential(3)} rms(ref) ${c.rmsRef.toFixed(3)}`);
      expect(c.maxAbs).toBeLessThanOrEqual(1e-4 * Math.max(1, c.rmsRef));
    } finally {
      ck.close();
    }
  });
});
