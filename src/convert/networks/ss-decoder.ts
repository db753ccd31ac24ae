// SparseStructureDecoder (networks.md §4) → ONNX.
// Input z [B, latent, R, R, R] float32; output logits [B, out, R·2^(k-1), …] float32 for k
// entries of `channels` (the released decoder: 16³ → 64³). Occupancy = logits > 0
// (engine/sparse/occupancy.ts).

import { GraphBuilder } from '../onnx/graph-builder.ts';
import type { ModelConfig } from '../checkpoint.ts';
import type { Weights } from '../weights.ts';
import { silu } from '../layers/basic.ts';
import { channelLayerNorm, conv3d } from '../layers/conv3d.ts';
import { pixelShuffle3d } from '../layers/pixel-shuffle.ts';

export interface SsDecoderConfig {
  outChannels: number;
  latentChannels: number;
  numResBlocks: number;
  numResBlocksMiddle: number;
  channels: number[];
  /** Input grid size (16 in TRELLIS: the stage-1 latent is 16³). */
  resolution: number;
}

export function ssDecoderConfig(config: ModelConfig, resolution = 16): SsDecoderConfig {
  if (config.name !== 'SparseStructureDecoder') throw new Error(`config name ${config.name} is not SparseStructureDecoder`);
  const a = config.args;
  const norm = a.norm_type ?? 'layer';
  if (norm !== 'layer') throw new Error(`SparseStructureDecoder: norm_type ${JSON.stringify(norm)} is not supported (only "layer", as released)`);
  if (!Array.isArray(a.channels) || a.channels.length === 0 || !a.channels.every((c: unknown) => Number.isInteger(c))) {
    throw new Error(`SparseStructureDecoder: channels must be a non-empty list of integers, got ${JSON.stringify(a.channels)}`);
  }
  for (const k of ['out_channels', 'latent_channels', 'num_res_blocks']) {
    if (!Number.isInteger(a[k])) throw new Error(`SparseStructureDecoder: config field ${k} must be an integer, got ${JSON.stringify(a[k])}`);
  }
  return {
    outChannels: a.out_channels,
    latentChannels: a.latent_channels,
    numResBlocks: a.num_res_blocks,
    numResBlocksMiddle: a.num_res_blocks_middle ?? 2,
    channels: a.channels,
    resolution,
  };
}

export function ssDecoderOutputResolution(cfg: SsDecoderConfig): number {
  return cfg.resolution * 2 ** (cfg.channels.length - 1);
}

function resBlock(g: GraphBuilder, w: Weights, x: string, prefix: string, c: number): string {
  let h = silu(g, channelLayerNorm(g, w, x, `${prefix}.norm1`, c));
  h = conv3d(g, w, h, `${prefix}.conv1`, c, c);
  h = silu(g, channelLayerNorm(g, w, h, `${prefix}.norm2`, c));
  h = conv3d(g, w, h, `${prefix}.conv2`, c, c);
  return g.scope(prefix, () => g.op('Add', [h, x]));
}

export function buildSsDecoderGraph(w: Weights, cfg: SsDecoderConfig): GraphBuilder {
  const g = w.g;
  const R = cfg.resolution;
  const z = g.input('z', 'float32', ['B', cfg.latentChannels, R, R, R]);
  const ch = cfg.channels;
  let h = conv3d(g, w, z, 'input_layer', cfg.latentChannels, ch[0]);
  for (let i = 0; i < cfg.numResBlocksMiddle; i++) h = resBlock(g, w, h, `middle_block.${i}`, ch[0]);
  let b = 0;
  let res = R;
  ch.forEach((c, i) => {
    for (let j = 0; j < cfg.numResBlocks; j++) h = resBlock(g, w, h, `blocks.${b++}`, c);
    if (i < ch.length - 1) {
      const p = `blocks.${b++}`;
      const conv = conv3d(g, w, h, `${p}.conv`, c, ch[i + 1] * 8);
      h = g.scope(p, () => pixelShuffle3d(g, conv, ch[i + 1], [res, res, res]));
      res *= 2;
    }
  });
  h = silu(g, channelLayerNorm(g, w, h, 'out_layer.0', ch[ch.length - 1]));
  h = conv3d(g, w, h, 'out_layer.2', ch[ch.length - 1], cfg.outChannels);
  g.output(h, 'logits', 'float32', ['B', cfg.outChannels, res, res, res]);
  return g;
}
