// SLat decoders (pipeline.md §7): the mesh decoder (two subdivisions → 4× resolution, 101
// channels) and the optional Gaussian decoder (same coords). Index maps come from the coords;
// the swin group count is read from the graph's declared inputs so it always matches the build.
// The mesh decoder is either one graph ('main') or, as the converter writes it, 'head' (trunk +
// first subdivision) then 'stats'/'tail' run over chunks of the finest level
// (engine/sparse/mesh-chunks.ts) so no tensor of the 64N-row level is ever whole on the device.
import { EngineError, throwIfCancelled } from '../errors.ts';
import type { VoxelFeatures } from '../protocol.ts';
import { meshDecoderHeadIndexInputs, meshDecoderIndexInputs, meshDecoderOutputCoords, trunkIndexInputs, type SparseFeed } from '../sparse/decoder-feeds.ts';
import { runMeshTailChunked } from '../sparse/mesh-chunks.ts';
import { configInt, fixedDim, inputSpec, outputSpec, swinGroupCount } from './component-io.ts';
import { MAIN_GRAPH, type ComponentProvider, type HostTensor, type SparseLatent } from './types.ts';
import type { ComponentName } from '../../models/manifest.ts';

/** Largest tensor a mesh tail chunk may hold (bytes, fp32). */
export const MESH_CHUNK_BYTES = 256 * 1024 ** 2;

/**
 * Level-1 parents per mesh tail chunk. The tail's convs accumulate over the 27 taps (no
 * [rows, 27, C] tensor), so its largest tensors are [halo rows, C]: 8 children per parent and a
 * halo of at most as many rows again (measured ~1.13× on shells) keep them within MESH_CHUNK_BYTES.
 */
export function meshChunkParents(c1: number, c2: number, outChannels: number): number {
  return Math.max(16, Math.floor(MESH_CHUNK_BYTES / (8 * 2 * Math.max(c1, c2, outChannels) * 4)));
}

function trunkOptions(provider: ComponentProvider, name: ComponentName, graph: string) {
  const config = provider.config(name);
  return {
    windowSize: configInt(name, config, 'window_size', 8),
    numBlocks: configInt(name, config, 'num_blocks'),
    swinGroups: swinGroupCount(name, provider.io(name, graph)),
  };
}

function featsFeed(name: ComponentName, provider: ComponentProvider, graph: string, slat: SparseLatent): HostTensor {
  const spec = inputSpec(name, provider.io(name, graph), 'feats');
  const c = fixedDim(name, spec, 1);
  if (c !== slat.channels) throw new EngineError('MODEL_CORRUPT', `${name}: expects ${c}-channel latents, stage 2 produced ${slat.channels}`);
  return { dtype: 'float32', dims: [slat.count, slat.channels], data: slat.feats };
}

export interface MeshDecodeOptions {
  /** Level-1 parents per tail chunk (default: from MESH_CHUNK_BYTES). */
  chunkParents?: number;
  signal?: AbortSignal;
}

async function decodeMeshSingle(provider: ComponentProvider, slat: SparseLatent, signal?: AbortSignal): Promise<Float32Array> {
  const name = 'slat_decoder_mesh';
  const feeds: Record<string, HostTensor> = {
    ...(meshDecoderIndexInputs(slat.coords, slat.count, trunkOptions(provider, name, MAIN_GRAPH)) as Record<string, HostTensor>),
    feats: featsFeed(name, provider, MAIN_GRAPH, slat),
  };
  throwIfCancelled(signal);
  const runner = await provider.get(name);
  return (await runner.run(feeds, ['out_feats'])).out_feats.data as Float32Array;
}

async function decodeMeshChunked(provider: ComponentProvider, slat: SparseLatent, channels: number, opts: MeshDecodeOptions): Promise<Float32Array> {
  const name = 'slat_decoder_mesh';
  const { feeds, nbrSub1 } = meshDecoderHeadIndexInputs(slat.coords, slat.count, trunkOptions(provider, name, 'head'));
  throwIfCancelled(opts.signal);
  const head = await provider.get(name, 'head');
  const h = await head.run({ ...(feeds as Record<string, HostTensor>), feats: featsFeed(name, provider, 'head', slat) }, ['h_sub1', 'a_sub1']);
  const c1 = h.h_sub1.dims[1];
  const cOut = channels;
  // Channels after the finest subdivision's first conv: model_channels / 8 (networks.md §7).
  const c2Channels = configInt(name, provider.config(name), 'model_channels') / 8;
  const stats = await provider.get(name, 'stats');
  const tail = await provider.get(name, 'tail');
  const nSub1 = 8 * slat.count;
  const chunkParents = opts.chunkParents ?? meshChunkParents(c1, c2Channels, cOut);
  const asHost = (f: Record<string, SparseFeed>) => f as Record<string, HostTensor>;
  return runMeshTailChunked(
    { hSub1: h.h_sub1.data as Float32Array, aSub1: h.a_sub1.data as Float32Array, nSub1, c1, c2: c2Channels, outChannels: cOut, nbrSub1, parentsPerChunk: chunkParents },
    {
      stats: async (f) => {
        throwIfCancelled(opts.signal);
        const o = await stats.run(asHost(f), ['gn_sum', 'gn_sumsq']);
        return { sum: o.gn_sum.data as Float32Array, sumsq: o.gn_sumsq.data as Float32Array };
      },
      tail: async (f) => {
        throwIfCancelled(opts.signal);
        return (await tail.run(asHost(f), ['out_feats'])).out_feats.data as Float32Array;
      },
    },
  );
}

export async function decodeMesh(provider: ComponentProvider, slat: SparseLatent, opts: MeshDecodeOptions = {}): Promise<VoxelFeatures> {
  const name = 'slat_decoder_mesh';
  const graphs = provider.graphs(name);
  const chunked = graphs.includes('head') && graphs.includes('stats') && graphs.includes('tail');
  if (!chunked && !graphs.includes(MAIN_GRAPH)) {
    throw new EngineError('MODEL_CORRUPT', `${name}: expected one graph or the graphs head, stats and tail; the manifest has ${graphs.join(', ')}`);
  }
  const outIo = provider.io(name, chunked ? 'tail' : MAIN_GRAPH);
  const channels = fixedDim(name, outputSpec(name, outIo, 'out_feats'), 1);
  const feats = chunked ? await decodeMeshChunked(provider, slat, channels, opts) : await decodeMeshSingle(provider, slat, opts.signal);
  const count = slat.count * 64;
  if (feats.length !== count * channels) throw new EngineError('INTERNAL', `${name}: produced ${feats.length} values, expected ${count}x${channels}`);
  const resolution = configInt(name, provider.config(name), 'resolution') * 4;
  return { resolution, count, channels, coords: meshDecoderOutputCoords(slat.coords, slat.count), feats };
}

export async function decodeGaussians(provider: ComponentProvider, slat: SparseLatent, signal?: AbortSignal): Promise<VoxelFeatures> {
  const name = 'slat_decoder_gs';
  const io = provider.io(name);
  const outName = 'out_feats';
  const channels = fixedDim(name, outputSpec(name, io, outName), 1);
  const feeds: Record<string, HostTensor> = {
    ...(trunkIndexInputs(slat.coords, slat.count, trunkOptions(provider, name, MAIN_GRAPH)) as Record<string, HostTensor>),
    feats: featsFeed(name, provider, MAIN_GRAPH, slat),
  };
  throwIfCancelled(signal);
  const runner = await provider.get(name);
  const out = await runner.run(feeds, [outName]);
  const resolution = configInt(name, provider.config(name), 'resolution');
  return { resolution, count: slat.count, channels, coords: Int32Array.from(slat.coords), feats: out[outName].data as Float32Array };
}
