// `verify` for the network cases of a golden set: every case folder holding config.json +
// model.safetensors is converted with the project's converter (fp32, or fp16 to report drift)
// and run with ORT on the case's inputs, index maps computed by the engine's own code.

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openCheckpoint, type ModelConfig } from '../convert/checkpoint.ts';
import { buildNetwork, type BuiltNetwork } from '../convert/networks/registry.ts';
import type { WeightDType } from '../convert/weights.ts';
import { slatFlowIndexInputs } from '../convert/networks/slat-flow.ts';
import { meshDecoderConfig } from '../convert/networks/slat-decoder-mesh.ts';
import { gsDecoderConfig } from '../convert/networks/slat-decoder-gs.ts';
import { meshDecoderHeadIndexInputs, meshDecoderOutputCoords, trunkIndexInputs } from '../engine/sparse/decoder-feeds.ts';
import { runMeshTailChunked } from '../engine/sparse/mesh-chunks.ts';
import { occupancyToCoords } from '../engine/sparse/occupancy.ts';
import { decodeGaussians } from '../engine/gaussians.ts';
import { compare, readIndex, readTensor, setGoldenRoot, goldenRoot } from '../golden/golden-set.ts';
import { runGraph, type Feed } from './ort-node.ts';
import type { VerifyRow } from './types.ts';

export interface NetworkVerifyOptions {
  dtype?: WeightDType;
  /** Tolerance factor: max|err| <= tol * max(1, rms(ref)). */
  tol?: number;
}

const f32 = (caseName: string, key: string): Feed => {
  const t = readTensor(caseName, key);
  return { dtype: 'float32', dims: t.shape, data: t.data as Float32Array };
};

function row(caseName: string, tensor: string, actual: ArrayLike<number>, refKey: string, tol: number): VerifyRow {
  const ref = readTensor(caseName, refKey).data as Float32Array;
  if (actual.length !== ref.length) {
    return { case: caseName, tensor: `${tensor} (length ${actual.length} vs ${ref.length})`, maxAbs: Infinity, rmsRef: 0, tol, pass: false };
  }
  const c = compare(actual, ref);
  const limit = tol * Math.max(1, c.rmsRef);
  return { case: caseName, tensor, maxAbs: c.maxAbs, rmsRef: c.rmsRef, tol: limit, pass: c.maxAbs <= limit };
}

function exactRow(caseName: string, tensor: string, actual: Int32Array, refKey: string): VerifyRow {
  const ref = readTensor(caseName, refKey).data as Int32Array;
  let maxAbs = actual.length === ref.length ? 0 : Infinity;
  if (maxAbs === 0) for (let i = 0; i < ref.length; i++) maxAbs = Math.max(maxAbs, Math.abs(actual[i] - ref[i]));
  return { case: caseName, tensor: `${tensor} (exact)`, maxAbs, rmsRef: 0, tol: 0, pass: maxAbs === 0 };
}

/**
 * Occupancy (logit > 0) must match the reference wherever the reference logit is farther from 0
 * than the logit tolerance; a voxel whose reference logit is within it can flip under any
 * float reordering, so it is counted and shown, not failed. The coords of the reference logits
 * must equal the reference coords exactly.
 */
function occupancyRow(c: string, logits: Float32Array, dims: readonly number[], limit: number): VerifyRow {
  const ref = readTensor(c, 'out').data as Float32Array;
  let hard = 0;
  let ambiguous = 0;
  for (let i = 0; i < ref.length; i++) {
    if ((logits[i] > 0) !== (ref[i] > 0)) {
      if (Math.abs(ref[i]) > limit) hard++;
      else ambiguous++;
    }
  }
  const own = exactRow(c, 'coords', occupancyToCoords(ref, dims), 'coords');
  const n = readTensor(c, 'coords').shape[0];
  const label = `coords (${n} voxels; ${hard} flipped, ${ambiguous} within tol of 0)`;
  return { case: c, tensor: label, maxAbs: hard + (own.pass ? 0 : Infinity), rmsRef: 0, tol: 0, pass: hard === 0 && own.pass };
}

const bytes = (b: BuiltNetwork, name = 'main') => b.graphs.find((g) => g.name === name)!.graph.toBytes();

type CaseRunner = (caseName: string, config: ModelConfig, built: BuiltNetwork, tol: number) => Promise<VerifyRow[]>;

const RUNNERS: Record<string, CaseRunner> = {
  ss_flow: async (c, _cfg, b, tol) => {
    const out = await runGraph(bytes(b), { x: f32(c, 'x'), t: f32(c, 't'), cond: f32(c, 'cond') });
    return [row(c, 'out', out.v.data as Float32Array, 'out', tol)];
  },
  ss_decoder: async (c, _cfg, b, tol) => {
    const out = await runGraph(bytes(b), { z: f32(c, 'z') });
    const logits = out.logits.data as Float32Array;
    const logitRow = row(c, 'out', logits, 'out', tol);
    return [logitRow, occupancyRow(c, logits, out.logits.dims, logitRow.tol)];
  },
  slat_flow: async (c, _cfg, b, tol) => {
    const coords = readTensor(c, 'coords');
    const n = coords.shape[0];
    const feeds: Record<string, Feed> = { feats: f32(c, 'feats'), t: f32(c, 't'), cond: f32(c, 'cond'), ...(slatFlowIndexInputs(coords.data as Int32Array, n) as Record<string, Feed>) };
    const out = await runGraph(bytes(b), feeds);
    return [row(c, 'out_feats', out.v.data as Float32Array, 'out_feats', tol)];
  },
  slat_decoder_mesh: async (c, cfg, b, tol) => {
    const mc = meshDecoderConfig(cfg);
    const coords = readTensor(c, 'coords');
    const n = coords.shape[0];
    const { feeds, nbrSub1 } = meshDecoderHeadIndexInputs(coords.data as Int32Array, n, { windowSize: mc.windowSize, swinGroups: mc.swinGroups, numBlocks: mc.numBlocks });
    const head = await runGraph(bytes(b, 'head'), { ...(feeds as Record<string, Feed>), feats: f32(c, 'feats') });
    const stats = bytes(b, 'stats');
    const tail = bytes(b, 'tail');
    const C = mc.modelChannels;
    const out = await runMeshTailChunked(
      { hSub1: head.h_sub1.data as Float32Array, aSub1: head.a_sub1.data as Float32Array, nSub1: 8 * n, c1: C / 4, c2: C / 8, outChannels: mc.outChannels, nbrSub1, parentsPerChunk: 4096 },
      {
        stats: async (f) => {
          const o = await runGraph(stats, f as Record<string, Feed>);
          return { sum: o.gn_sum.data as Float32Array, sumsq: o.gn_sumsq.data as Float32Array };
        },
        tail: async (f) => (await runGraph(tail, f as Record<string, Feed>)).out_feats.data as Float32Array,
      },
    );
    return [exactRow(c, 'out_coords', meshDecoderOutputCoords(coords.data as Int32Array, n), 'out_coords'), row(c, 'out_feats', out, 'out_feats', tol)];
  },
  slat_decoder_gs: async (c, cfg, b, tol) => {
    const gc = gsDecoderConfig(cfg);
    const coords = readTensor(c, 'coords');
    const n = coords.shape[0];
    const feeds = trunkIndexInputs(coords.data as Int32Array, n, { windowSize: gc.windowSize, swinGroups: gc.swinGroups, numBlocks: gc.numBlocks }) as Record<string, Feed>;
    const out = await runGraph(bytes(b), { ...feeds, feats: f32(c, 'feats') });
    const feats = out.out_feats.data as Float32Array;
    const rows = [row(c, 'out_feats', feats, 'out_feats', tol)];
    const gs = decodeGaussians(feats, coords.data as Int32Array, n, { resolution: cfg.args.resolution, representation: cfg.args.representation_config }, out.offset_perturbation.data as Float32Array);
    const fields: [string, Float32Array][] = [['gs_xyz', gs.xyz], ['gs_features_dc', gs.featuresDc], ['gs_scaling', gs.scaling], ['gs_rotation', gs.rotation], ['gs_opacity', gs.opacity]];
    const index = readIndex(c);
    for (const [key, v] of fields) if (index[key]) rows.push(row(c, key, v, key, tol));
    return rows;
  },
  dinov2: async (c, _cfg, b, tol) => {
    // The golden image is in [0,1]; the pipeline's ImageNet normalisation comes first.
    const img = readTensor(c, 'image');
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const data = new Float32Array(img.data.length);
    const plane = img.shape[2] * img.shape[3];
    for (let i = 0; i < data.length; i++) {
      const ch = Math.floor(i / plane) % 3;
      data[i] = Math.fround(Math.fround((img.data[i] as number) - Math.fround(mean[ch])) / Math.fround(std[ch]));
    }
    const out = await runGraph(bytes(b), { image: { dtype: 'float32', dims: img.shape, data } });
    return [row(c, 'x_prenorm', out.x_prenorm.data as Float32Array, 'x_prenorm', tol), row(c, 'cond', out.cond.data as Float32Array, 'cond', tol)];
  },
};

/** Golden case folders that hold a network checkpoint. */
export function networkCases(goldenDir: string): string[] {
  return readdirSync(goldenDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(goldenDir, d.name, 'model.safetensors')) && existsSync(path.join(goldenDir, d.name, 'config.json')))
    .map((d) => d.name)
    .sort();
}

export async function verifyNetworkCase(goldenDir: string, caseName: string, opts: NetworkVerifyOptions = {}): Promise<VerifyRow[]> {
  const prev = goldenRoot;
  setGoldenRoot(goldenDir);
  const dir = path.join(goldenDir, caseName);
  const ck = openCheckpoint(path.join(dir, 'config.json'), path.join(dir, 'model.safetensors'));
  try {
    const built = buildNetwork(ck.config, ck.source, opts.dtype ?? 'fp32', caseName === 'ss_decoder' ? { ssResolution: readTensor(caseName, 'z').shape[2] } : {});
    const runner = RUNNERS[built.component];
    if (!runner) throw new Error(`no golden runner for component ${built.component}`);
    return await runner(caseName, ck.config, built, opts.tol ?? 1e-4);
  } finally {
    ck.close();
    setGoldenRoot(prev);
  }
}

export async function verifyNetworks(goldenDir: string, opts: NetworkVerifyOptions = {}): Promise<VerifyRow[]> {
  const rows: VerifyRow[] = [];
  for (const c of networkCases(goldenDir)) {
    try {
      rows.push(...(await verifyNetworkCase(goldenDir, c, opts)));
    } catch (e) {
      rows.push({ case: c, tensor: `error: ${(e as Error).message}`, maxAbs: Infinity, rmsRef: 0, tol: 0, pass: false });
    }
  }
  return rows;
}
