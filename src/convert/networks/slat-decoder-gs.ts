// SLatGaussianDecoder / ElasticSLatGaussianDecoder (networks.md §7) → ONNX.
// Inputs: feats [N,latent] float32, pos [N,3] int32, swin tables (sparse-transformer.ts).
// Outputs: feats [N,14·G] float32 (raw out_layer features, layout in engine/gaussians.ts) and
// offset_perturbation [G,3] float32 (the stored buffer, always fp32, for decodeGaussians).

import { GraphBuilder } from '../onnx/graph-builder.ts';
import type { ModelConfig } from '../checkpoint.ts';
import type { Weights } from '../weights.ts';
import { layerNorm, linear } from '../layers/basic.ts';
import { declareTrunkInputs, sparseTransformerTrunk, trunkConfigFromArgs, type SparseTrunkConfig } from './sparse-transformer.ts';

export const GS_DECODER_CLASSES = ['SLatGaussianDecoder', 'ElasticSLatGaussianDecoder'];

export interface GsDecoderConfig extends SparseTrunkConfig {
  numGaussians: number;
  outChannels: number;
}

export function gsDecoderConfig(config: ModelConfig, swinGroups = 4): GsDecoderConfig {
  if (!GS_DECODER_CLASSES.includes(config.name)) throw new Error(`config name ${config.name} is not a Gaussian decoder (${GS_DECODER_CLASSES.join(', ')})`);
  const rep = config.args.representation_config;
  if (!rep || typeof rep.num_gaussians !== 'number') throw new Error(`${config.name}: representation_config.num_gaussians missing`);
  if (rep.perturb_offset === false) throw new Error(`${config.name}: perturb_offset false is not supported (the released decoder uses it)`);
  const trunk = trunkConfigFromArgs(config.args, config.name, swinGroups);
  return { ...trunk, numGaussians: rep.num_gaussians, outChannels: rep.num_gaussians * 14 };
}

export function buildGsDecoderGraph(w: Weights, cfg: GsDecoderConfig): GraphBuilder {
  const g = w.g;
  const inputs = declareTrunkInputs(g, cfg);
  const h = sparseTransformerTrunk(g, w, cfg, inputs);
  const out = g.scope('head', () => linear(g, w, layerNorm(g, w, h, cfg.modelChannels, 1e-5), 'out_layer', cfg.modelChannels, cfg.outChannels));
  g.output(out, 'out_feats', 'float32', ['N', cfg.outChannels]);
  const pert = w.raw('offset_perturbation', [cfg.numGaussians, 3]);
  const p = g.initializer('offset_perturbation.value', { dtype: 'float32', dims: [cfg.numGaussians, 3], bytes: new Uint8Array(pert.buffer, pert.byteOffset, pert.byteLength) });
  g.output(p, 'offset_perturbation', 'float32', [cfg.numGaussians, 3]);
  return g;
}
