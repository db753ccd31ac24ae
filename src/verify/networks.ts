// `verify` for the network cases of a golden set: every case folder holding config.json +
// model.safetensors is converted with the project's converter (fp32, or fp16 to report drift)
// and run with ORT on the case's inputs, index maps computed by the engine's own code.

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openCheckpoint, type ModelConfig } from '../convert/checkpoint.ts';
import { findConverter, type BuiltNetwork, type GraphOptions } from '../convert/networks/registry.ts';
import { GraphBuilder } from '../convert/onnx/graph-builder.ts';
import { Weights, type StateDictSource, type WeightDType } from '../convert/weights.ts';
import { slatFlowIndexInputs } from '../engine/sparse/slat-flow-index.ts';
import { buildMeshDecoderGraph, meshDecoderConfig } from '../convert/networks/slat-decoder-mesh.ts';
import { gsDecoderConfig } from '../convert/networks/slat-decoder-gs.ts';
import { meshDecoderHeadIndexInputs, meshDecoderIndexInputs, meshDecoderOutputCoords, trunkIndexInputs } from '../engine/sparse/decoder-feeds.ts';
import { IMAGENET_MEAN, IMAGENET_STD } from '../engine/preprocess/imagenet-stats.ts';
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
  /** Converter options (attention implementation and query blocks/pieces, SLat-flow conv recipe). */
  graph?: GraphOptions;
  /**
   * Mesh decoder build: 'chunked' (head + stats/tail over chunks of the finest level, as the
   * converter writes it) or 'single' (one graph; the engine runs either).
   */
  meshGraph?: 'chunked' | 'single';
  /** Chunked mesh decoder: level-1 parents per tail chunk. */
  meshParentsPerChunk?: number;
}

type RunOptions = Required<Pick<NetworkVerifyOptions, 'tol' | 'meshParentsPerChunk'>>;

const f32 = (caseName: string, key: string): Feed => {
  const t = readTensor(caseName, key);
  return { dtype: 'float32', dims: t.shape, data: t.data as Float32Array };
};

/** `dims`, when the output has a shape, must equal the reference shape; else only the lengths must. */
function row(caseName: string, tensor: string, actual: ArrayLike<number>, refKey: string, tol: number, dims?: readonly number[]): VerifyRow {
  const refTensor = readTensor(caseName, refKey);
  const ref = refTensor.data as Float32Array;
  if (dims && dims.join(',') !== refTensor.shape.join(',')) {
    return { case: caseName, tensor: `${tensor} (shape [${dims.join(',')}] vs [${refTensor.shape.join(',')}])`, maxAbs: Infinity, rmsRef: 0, tol, pass: false };
  }
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
  return { case: caseName, tensor, maxAbs, rmsRef: 0, tol: 0, pass: maxAbs === 0, check: 'exact' };
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
  return { case: c, tensor: label, maxAbs: hard + (own.pass ? 0 : Infinity), rmsRef: 0, tol: 0, pass: hard === 0 && own.pass, check: 'exact' };
}

const bytes = (b: BuiltNetwork, name = 'main') => b.graphs.find((g) => g.name === name)!.graph.toBytes();

/** The chunk count is an invariant of the split: every level-1 parent in exactly one chunk. */
function chunkRow(c: string, chunks: number, rows: number, perChunk: number): VerifyRow {
  const expected = Math.ceil(rows / perChunk);
  return { case: c, tensor: `tail chunks (${chunks} of ≤${perChunk} parents, ${expected} expected)`, maxAbs: Math.abs(chunks - expected), rmsRef: 0, tol: 0, pass: chunks === expected };
}

type CaseRunner = (caseName: string, config: ModelConfig, built: BuiltNetwork, opts: RunOptions) => Promise<VerifyRow[]>;

async function meshSingle(c: string, cfg: ModelConfig, b: BuiltNetwork): Promise<Float32Array> {
  const mc = meshDecoderConfig(cfg);
  const coords = readTensor(c, 'coords');
  const feeds = meshDecoderIndexInputs(coords.data as Int32Array, coords.shape[0], { resolution: mc.resolution, windowSize: mc.windowSize, swinGroups: mc.swinGroups, numBlocks: mc.numBlocks });
  const out = await runGraph(bytes(b), { ...(feeds as Record<string, Feed>), feats: f32(c, 'feats') });
  return out.out_feats.data as Float32Array;
}

async function meshChunked(c: string, cfg: ModelConfig, b: BuiltNetwork, parentsPerChunk: number): Promise<{ feats: Float32Array; chunks: number }> {
  const mc = meshDecoderConfig(cfg);
  const coords = readTensor(c, 'coords');
  const n = coords.shape[0];
  const { feeds, nbrSub1 } = meshDecoderHeadIndexInputs(coords.data as Int32Array, n, { resolution: mc.resolution, windowSize: mc.windowSize, swinGroups: mc.swinGroups, numBlocks: mc.numBlocks });
  const head = await runGraph(bytes(b, 'head'), { ...(feeds as Record<string, Feed>), feats: f32(c, 'feats') });
  const stats = bytes(b, 'stats');
  const tail = bytes(b, 'tail');
  const C = mc.modelChannels;
  let chunks = 0;
  const feats = await runMeshTailChunked(
    { hSub1: head.h_sub1.data as Float32Array, aSub1: head.a_sub1.data as Float32Array, nSub1: 8 * n, c1: C / 4, c2: C / 8, outChannels: mc.outChannels, nbrSub1, parentsPerChunk },
    {
      stats: async (f) => {
        const o = await runGraph(stats, f as Record<string, Feed>);
        return { sum: o.gn_sum.data as Float32Array, sumsq: o.gn_sumsq.data as Float32Array };
      },
      tail: async (f) => {
        chunks++;
        return (await runGraph(tail, f as Record<string, Feed>)).out_feats.data as Float32Array;
      },
    },
  );
  return { feats, chunks };
}

const RUNNERS: Record<string, CaseRunner> = {
  ss_flow: async (c, _cfg, b, { tol }) => {
    const out = await runGraph(bytes(b), { x: f32(c, 'x'), t: f32(c, 't'), cond: f32(c, 'cond') });
    return [row(c, 'out', out.v.data as Float32Array, 'out', tol, out.v.dims)];
  },
  ss_decoder: async (c, _cfg, b, { tol }) => {
    const out = await runGraph(bytes(b), { z: f32(c, 'z') });
    const logits = out.logits.data as Float32Array;
    const logitRow = row(c, 'out', logits, 'out', tol, out.logits.dims);
    return [logitRow, occupancyRow(c, logits, out.logits.dims, logitRow.tol)];
  },
  slat_flow: async (c, _cfg, b, { tol }) => {
    const coords = readTensor(c, 'coords');
    const n = coords.shape[0];
    const feeds: Record<string, Feed> = { feats: f32(c, 'feats'), t: f32(c, 't'), cond: f32(c, 'cond'), ...(slatFlowIndexInputs(coords.data as Int32Array, n) as Record<string, Feed>) };
    const out = await runGraph(bytes(b), feeds);
    // The output rows are the input rows: same coords, same order.
    return [exactRow(c, 'out_coords', coords.data as Int32Array, 'out_coords'), row(c, 'out_feats', out.v.data as Float32Array, 'out_feats', tol, out.v.dims)];
  },
  slat_decoder_mesh: async (c, cfg, b, { tol, meshParentsPerChunk }) => {
    const coords = readTensor(c, 'coords');
    const n = coords.shape[0];
    const rows = [exactRow(c, 'out_coords', meshDecoderOutputCoords(coords.data as Int32Array, n), 'out_coords')];
    if (b.graphs.some((g) => g.name === 'main')) return [...rows, row(c, 'out_feats', await meshSingle(c, cfg, b), 'out_feats', tol)];
    const { feats, chunks } = await meshChunked(c, cfg, b, meshParentsPerChunk);
    return [...rows, chunkRow(c, chunks, 8 * n, meshParentsPerChunk), row(c, 'out_feats', feats, 'out_feats', tol)];
  },
  slat_decoder_gs: async (c, cfg, b, { tol }) => {
    const gc = gsDecoderConfig(cfg);
    const coords = readTensor(c, 'coords');
    const n = coords.shape[0];
    const feeds = trunkIndexInputs(coords.data as Int32Array, n, { resolution: gc.resolution, windowSize: gc.windowSize, swinGroups: gc.swinGroups, numBlocks: gc.numBlocks }) as Record<string, Feed>;
    const out = await runGraph(bytes(b), { ...feeds, feats: f32(c, 'feats') });
    const feats = out.out_feats.data as Float32Array;
    const rows = [exactRow(c, 'out_coords', coords.data as Int32Array, 'out_coords'), row(c, 'out_feats', feats, 'out_feats', tol)];
    const gs = decodeGaussians(feats, coords.data as Int32Array, n, { resolution: cfg.args.resolution, representation: cfg.args.representation_config }, out.offset_perturbation.data as Float32Array);
    const fields: [string, Float32Array][] = [['gs_xyz', gs.xyz], ['gs_features_dc', gs.featuresDc], ['gs_scaling', gs.scaling], ['gs_rotation', gs.rotation], ['gs_opacity', gs.opacity]];
    const index = readIndex(c);
    for (const [key, v] of fields) if (index[key]) rows.push(row(c, key, v, key, tol));
    return rows;
  },
  dinov2: async (c, _cfg, b, { tol }) => {
    // The golden image is in [0,1]; torchvision's Normalize comes first, each step one float32 rounding.
    const img = readTensor(c, 'image');
    const f = Math.fround;
    const data = new Float32Array(img.data.length);
    const plane = img.shape[2] * img.shape[3];
    for (let i = 0; i < data.length; i++) {
      const ch = Math.floor(i / plane) % 3;
      data[i] = f(f((img.data[i] as number) - f(IMAGENET_MEAN[ch])) / f(IMAGENET_STD[ch]));
    }
    const out = await runGraph(bytes(b), { image: { dtype: 'float32', dims: img.shape, data } });
    return [row(c, 'x_prenorm', out.x_prenorm.data as Float32Array, 'x_prenorm', tol, out.x_prenorm.dims), row(c, 'cond', out.cond.data as Float32Array, 'cond', tol, out.cond.dims)];
  },
};

/** The mesh decoder as one graph, which the converter does not write but the engine can run. */
function buildSingleMeshDecoder(config: ModelConfig, source: StateDictSource, dtype: WeightDType): BuiltNetwork {
  const w = new Weights(source, new GraphBuilder('slat_decoder_mesh'), dtype);
  const graph = buildMeshDecoderGraph(w, meshDecoderConfig(config));
  w.assertAllUsed();
  return { component: 'slat_decoder_mesh', graphs: [{ name: 'main', graph, ...graph.describeIO() }] };
}

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
    const dtype = opts.dtype ?? 'fp32';
    const converter = findConverter(ck.config.name, ck.source.label);
    const graphOpts: GraphOptions = { ...opts.graph, ...(converter.component === 'ss_decoder' ? { ssResolution: readTensor(caseName, 'z').shape[2] } : {}) };
    const built = converter.component === 'slat_decoder_mesh' && opts.meshGraph === 'single'
      ? buildSingleMeshDecoder(ck.config, ck.source, dtype)
      : converter.build(ck.config, ck.source, dtype, graphOpts);
    const runner = RUNNERS[built.component];
    if (!runner) throw new Error(`no golden runner for component ${built.component}`);
    return await runner(caseName, ck.config, built, { tol: opts.tol ?? 1e-4, meshParentsPerChunk: opts.meshParentsPerChunk ?? 4096 });
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
