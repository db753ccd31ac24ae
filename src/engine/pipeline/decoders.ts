// SLat decoders (pipeline.md §7): the mesh decoder (two subdivisions → 4× resolution, 101
// channels) and the optional Gaussian decoder (same coords). Index maps come from the coords;
// the swin group count is read from the graph's declared inputs so it always matches the build.
import { throwIfCancelled } from '../errors.ts';
import type { VoxelFeatures } from '../protocol.ts';
import { meshDecoderIndexInputs, meshDecoderOutputCoords, trunkIndexInputs } from '../sparse/decoder-feeds.ts';
import { configInt, fixedDim, inputSpec, outputSpec, swinGroupCount } from './component-io.ts';
import type { ComponentProvider, HostTensor, SparseLatent } from './types.ts';
import type { ComponentName } from '../../models/manifest.ts';

function trunkOptions(provider: ComponentProvider, name: ComponentName) {
  const config = provider.config(name);
  const io = provider.io(name);
  return {
    windowSize: configInt(name, config, 'window_size', 8),
    numBlocks: configInt(name, config, 'num_blocks'),
    swinGroups: swinGroupCount(name, io),
  };
}

function featsFeed(name: ComponentName, provider: ComponentProvider, slat: SparseLatent): HostTensor {
  const spec = inputSpec(name, provider.io(name), 'feats');
  const c = fixedDim(name, spec, 1);
  if (c !== slat.channels) throw new Error(`${name}: expects ${c}-channel latents, stage 2 produced ${slat.channels}`);
  return { dtype: 'float32', dims: [slat.count, slat.channels], data: slat.feats };
}

export async function decodeMesh(provider: ComponentProvider, slat: SparseLatent, signal?: AbortSignal): Promise<VoxelFeatures> {
  const name = 'slat_decoder_mesh';
  const io = provider.io(name);
  const outName = 'out_feats';
  const channels = fixedDim(name, outputSpec(name, io, outName), 1);
  const feeds: Record<string, HostTensor> = {
    ...(meshDecoderIndexInputs(slat.coords, slat.count, trunkOptions(provider, name)) as Record<string, HostTensor>),
    feats: featsFeed(name, provider, slat),
  };
  throwIfCancelled(signal);
  const runner = await provider.get(name);
  const out = await runner.run(feeds, [outName]);
  const count = slat.count * 64;
  const resolution = configInt(name, provider.config(name), 'resolution') * 4;
  return { resolution, count, channels, coords: meshDecoderOutputCoords(slat.coords, slat.count), feats: out[outName].data as Float32Array };
}

export async function decodeGaussians(provider: ComponentProvider, slat: SparseLatent, signal?: AbortSignal): Promise<VoxelFeatures> {
  const name = 'slat_decoder_gs';
  const io = provider.io(name);
  const outName = 'out_feats';
  const channels = fixedDim(name, outputSpec(name, io, outName), 1);
  const feeds: Record<string, HostTensor> = {
    ...(trunkIndexInputs(slat.coords, slat.count, trunkOptions(provider, name)) as Record<string, HostTensor>),
    feats: featsFeed(name, provider, slat),
  };
  throwIfCancelled(signal);
  const runner = await provider.get(name);
  const out = await runner.run(feeds, [outName]);
  const resolution = configInt(name, provider.config(name), 'resolution');
  return { resolution, count: slat.count, channels, coords: Int32Array.from(slat.coords), feats: out[outName].data as Float32Array };
}
