// Deterministic run cases for every graph of a converted model folder (manifest.json + graphs):
// inputs from TorchGenerator streams, index feeds from the engine's own builders, so each graph
// runs on the kind of tables it gets in the pipeline. Used by the WebGPU-vs-WASM browser test.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ComponentName } from '../../src/models/manifest.ts';
import { TorchGenerator } from '../../src/engine/rng/index.ts';
import { slatFlowIndexInputs } from '../../src/engine/sparse/slat-flow-index.ts';
import { meshDecoderHeadIndexInputs, trunkIndexInputs, type SparseFeed } from '../../src/engine/sparse/decoder-feeds.ts';
import { runMeshTailChunked } from '../../src/engine/sparse/mesh-chunks.ts';
import { runGraph, type Feed } from './ort.ts';

export interface GraphRunCase {
  /** e.g. "slat_decoder_mesh.tail" or "slat_flow (few tokens)". */
  label: string;
  /** Sizes of this case, for the log (e.g. "N=840 M=216"). */
  note: string;
  component: ComponentName;
  graph: string;
  /** Graph file, relative to the model folder. */
  file: string;
  /** External data files the graph names, relative to the model folder. */
  externalData: string[];
  feeds: Record<string, Feed>;
}

interface ManifestTensor { name: string; dtype: string; shape: (number | string)[] }
interface ManifestComponent {
  config: Record<string, unknown>;
  files: { path: string; role: string }[];
  inputs: ManifestTensor[];
  outputs: ManifestTensor[];
  graphs?: Record<string, { file: string; inputs: ManifestTensor[]; outputs: ManifestTensor[] }>;
}

/** Voxels of a spherical shell |‖p − c‖ − r| < thickness/2 in a res³ grid, as (0, x, y, z) rows. */
export function shellCoords(res: number, radius: number, thickness = 1.5): { coords: Int32Array; n: number } {
  const rows: number[] = [];
  const c = (res - 1) / 2;
  for (let x = 0; x < res; x++) for (let y = 0; y < res; y++) for (let z = 0; z < res; z++) {
    if (Math.abs(Math.hypot(x - c, y - c, z - c) - radius) < thickness / 2) rows.push(0, x, y, z);
  }
  return { coords: Int32Array.from(rows), n: rows.length / 4 };
}

/**
 * A surface-like voxel set of about `voxels` rows in a res³ grid, the kind stage 1 makes: a
 * one-voxel shell (thickness 1.5) while a sphere inside the grid can hold that many, a thicker
 * shell of the largest such sphere beyond (a blob with a hollow core). Thickness is bisected
 * to the nearest count.
 */
export function shellCoordsOfSize(res: number, voxels: number): { coords: Int32Array; n: number } {
  const maxRadius = res / 2 - 3;
  const radius = Math.min(maxRadius, Math.sqrt(voxels / (4 * Math.PI * 1.5)));
  if (radius < maxRadius) return shellCoords(res, radius);
  let lo = 1.5;
  let hi = 2 * maxRadius;
  let best = shellCoords(res, maxRadius, lo);
  for (let i = 0; i < 24 && best.n !== voxels; i++) {
    const mid = (lo + hi) / 2;
    const s = shellCoords(res, maxRadius, mid);
    if (Math.abs(s.n - voxels) < Math.abs(best.n - voxels)) best = s;
    if (s.n < voxels) lo = mid;
    else hi = mid;
  }
  return best;
}

const f32 = (dims: number[], data: Float32Array): Feed => ({ dtype: 'float32', dims, data });
const asFeeds = (f: Record<string, SparseFeed>): Record<string, Feed> => f as Record<string, Feed>;

function graphFiles(modelDir: string, c: ManifestComponent, graph: string): { file: string; externalData: string[]; inputs: ManifestTensor[]; outputs: ManifestTensor[] } {
  const g = c.graphs?.[graph];
  const file = g?.file ?? c.files.find((f) => f.role === 'graph')?.path;
  if (!file) throw new Error(`${modelDir}: component has no graph file for "${graph}"`);
  const externalData = c.files.filter((f) => f.role === 'external_data' && f.path.startsWith(`${file}.data`)).map((f) => f.path);
  return { file, externalData, inputs: g?.inputs ?? c.inputs, outputs: g?.outputs ?? c.outputs };
}

function fixedDim(t: ManifestTensor | undefined, axis: number, what: string): number {
  const d = t?.shape[axis];
  if (typeof d !== 'number') throw new Error(`${what}: expected a fixed size at axis ${axis}, manifest has ${JSON.stringify(t?.shape)}`);
  return d;
}

async function runNode(modelDir: string, file: string, externalData: string[], feeds: Record<string, Feed>) {
  const model = new Uint8Array(readFileSync(path.join(modelDir, file)));
  const ext = externalData.map((p) => ({ path: p, data: new Uint8Array(readFileSync(path.join(modelDir, p))) }));
  return runGraph(model, feeds, ext);
}

export interface CaseOptions {
  /** Shell radius of the sparse cases, in voxels of the SLat grid (3 by default: ~100 voxels, cheap on SwiftShader). */
  radius?: number;
  /** Conditioning tokens: the DINOv2 component's token count, else 1374 (ViT/14 with registers at 518²). */
  condTokens?: number;
  seed?: number;
}

/**
 * One case per graph of every component in `modelDir/manifest.json`, plus a SLat flow case with
 * fewer coarse tokens than attention pieces (empty pieces). The mesh decoder's stats/tail cases
 * are the first chunk of runMeshTailChunked over the head's outputs (head run here on WASM).
 */
export async function convertedGraphCases(modelDir: string, opts: CaseOptions = {}): Promise<GraphRunCase[]> {
  const manifest = JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8')) as { components: Record<string, ManifestComponent> };
  const comps = manifest.components;
  const gen = new TorchGenerator(opts.seed ?? 7);
  const dinoTokens = comps.dinov2?.outputs.find((o) => o.name === 'cond')?.shape[1];
  const L = opts.condTokens ?? (typeof dinoTokens === 'number' ? dinoTokens : 1374);
  const cases: GraphRunCase[] = [];
  const add = (component: ComponentName, graph: string, feeds: Record<string, Feed>, label = graph === 'main' ? component : `${component}.${graph}`) => {
    const { file, externalData } = graphFiles(modelDir, comps[component], graph);
    const note = Object.entries(feeds).filter(([k]) => ['x', 'feats', 'image', 'z', 'a_parents', 'halo_parent_nbr', 'chunk_nbr', 'coarse_pos'].includes(k)).map(([k, f]) => `${k}[${f.dims.join(',')}]`).join(' ');
    cases.push({ label, note, component, graph, file, externalData, feeds });
  };
  const condChannels = (component: ComponentName) => fixedDim(comps[component].inputs.find((s) => s.name === 'cond'), 2, `${component} cond`);
  const slatRes = Number((comps.slat_flow ?? comps.slat_decoder_mesh ?? comps.slat_decoder_gs)?.config.resolution ?? 64);
  const shell = shellCoords(slatRes, opts.radius ?? 3);

  if (comps.dinov2) add('dinov2', 'main', { image: f32([1, 3, 518, 518], gen.randn([1, 3, 518, 518])) });
  if (comps.ss_flow) {
    const c = comps.ss_flow.inputs.find((s) => s.name === 'x')!;
    // Batch 1: the 4096-token attention is the slowest graph on SwiftShader; B=2 (the CFG pair)
    // runs the same kernels on a batch dimension.
    const dims = [1, ...c.shape.slice(1)] as number[];
    add('ss_flow', 'main', { x: f32(dims, gen.randn(dims)), t: f32([1], Float32Array.of(700)), cond: f32([1, L, condChannels('ss_flow')], gen.randn([1, L, condChannels('ss_flow')])) });
  }
  if (comps.ss_decoder) {
    const z = comps.ss_decoder.inputs[0];
    const dims = [1, ...z.shape.slice(1)] as number[];
    add('ss_decoder', 'main', { [z.name]: f32(dims, gen.randn(dims)) });
  }
  if (comps.slat_flow) {
    const cin = fixedDim(comps.slat_flow.inputs.find((s) => s.name === 'feats'), 1, 'slat_flow feats');
    const cc = condChannels('slat_flow');
    const cond = f32([1, L, cc], gen.randn([1, L, cc]));
    // The shell, then 5 voxels in 4 coarse cells: fewer tokens than attention pieces.
    const few = { coords: Int32Array.from([0, 4, 4, 4, 0, 4, 5, 4, 0, 7, 4, 4, 0, slatRes - 2, slatRes - 1, slatRes - 4, 0, slatRes - 1, 2, 5]), n: 5 };
    for (const [s, label] of [[shell, 'slat_flow'], [few, 'slat_flow (few tokens)']] as const) {
      add('slat_flow', 'main', {
        feats: f32([s.n, cin], gen.randn([s.n, cin])), t: f32([1], Float32Array.of(500)), cond,
        ...(slatFlowIndexInputs(s.coords, s.n) as Record<string, Feed>),
      }, label);
    }
  }
  const trunkOpts = (component: ComponentName, graph: string) => {
    const cfg = comps[component].config;
    const inputs = graphFiles(modelDir, comps[component], graph).inputs;
    return {
      resolution: cfg.resolution as number,
      windowSize: (cfg.window_size as number | undefined) ?? 8,
      numBlocks: cfg.num_blocks as number,
      swinGroups: inputs.filter((s) => /^swin0_index_\d+$/.test(s.name)).length,
    };
  };
  if (comps.slat_decoder_gs) {
    const cin = fixedDim(comps.slat_decoder_gs.inputs.find((s) => s.name === 'feats'), 1, 'slat_decoder_gs feats');
    add('slat_decoder_gs', 'main', { ...asFeeds(trunkIndexInputs(shell.coords, shell.n, trunkOpts('slat_decoder_gs', 'main'))), feats: f32([shell.n, cin], gen.randn([shell.n, cin])) });
  }
  if (comps.slat_decoder_mesh) {
    const mesh = comps.slat_decoder_mesh;
    const head = graphFiles(modelDir, mesh, 'head');
    const cin = fixedDim(head.inputs.find((s) => s.name === 'feats'), 1, 'mesh head feats');
    const { feeds, nbrSub1 } = meshDecoderHeadIndexInputs(shell.coords, shell.n, trunkOpts('slat_decoder_mesh', 'head'));
    const headFeeds = { ...asFeeds(feeds), feats: f32([shell.n, cin], gen.randn([shell.n, cin])) };
    add('slat_decoder_mesh', 'head', headFeeds);
    const h = await runNode(modelDir, head.file, head.externalData, headFeeds);
    const c1 = h.h_sub1.dims[1];
    const stats = graphFiles(modelDir, mesh, 'stats');
    const tail = graphFiles(modelDir, mesh, 'tail');
    const c2 = (mesh.config.model_channels as number) / 8;
    const outChannels = fixedDim(tail.outputs.find((s) => s.name === 'out_feats'), 1, 'mesh tail out_feats');
    let firstStats: Record<string, Feed> | null = null;
    let firstTail: Record<string, Feed> | null = null;
    const nSub1 = 8 * shell.n;
    await runMeshTailChunked(
      { hSub1: h.h_sub1.data as Float32Array, aSub1: h.a_sub1.data as Float32Array, nSub1, c1, c2, outChannels, nbrSub1, parentsPerChunk: Math.ceil(nSub1 / 3) },
      {
        stats: async (f) => {
          firstStats ??= asFeeds(f);
          const o = await runNode(modelDir, stats.file, stats.externalData, asFeeds(f));
          return { sum: o.gn_sum.data as Float32Array, sumsq: o.gn_sumsq.data as Float32Array };
        },
        tail: async (f) => {
          firstTail ??= asFeeds(f);
          return (await runNode(modelDir, tail.file, tail.externalData, asFeeds(f))).out_feats.data as Float32Array;
        },
      },
    );
    add('slat_decoder_mesh', 'stats', firstStats!);
    add('slat_decoder_mesh', 'tail', firstTail!);
  }
  return cases;
}
