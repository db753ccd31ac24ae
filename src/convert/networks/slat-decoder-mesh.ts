// SLatMeshDecoder / ElasticSLatMeshDecoder (networks.md §6) → ONNX.
// Inputs: feats [N,latent] float32, pos [N,3] int32, swin tables (sparse-transformer.ts),
//         nbr_sub1 [8N,27] int32, nbr_sub2 [64N,27] int32 (engine/sparse/decoder-feeds.ts).
// Output: out_feats [64N,101] float32 (101 with colour, 53 without), rows in the subdivide order
//         (engine/sparse/subdivide.ts applied twice).
// One sample per run (the GroupNorms take statistics over all rows).
//
// Largest single tensors at N rows (C = model_channels, 64N rows at the finest level):
//   [64N, C/8] activations and gathered conv terms, [64N, out_channels] output, [64N,27] int32 table.
//   Real config (C=768, N=20000 → 1.28 M rows): 491 MB, 517 MB, 138 MB; the trunk's MLP hidden
//   [N,4C] is 246 MB. No tensor holds 27 neighbour rows at once (per-offset accumulation), and
//   the first conv of each subdivide block multiplies at the parent level and gathers after.

import { GraphBuilder } from '../onnx/graph-builder.ts';
import type { ModelConfig } from '../checkpoint.ts';
import { WeightError, type Weights } from '../weights.ts';
import { linear, silu } from '../layers/basic.ts';
import { groupNormRows, groupNormWithStats, groupSums } from '../layers/group-norm.ts';
import { submConv1x1Quirk, submConv3d, submConv3dFromParents, submConv3dFromParentTable, submConv3dGathered } from '../layers/sparse-conv.ts';
import { addSubdividedParent } from '../layers/subdivide.ts';
import { declareTrunkInputs, sparseTransformerTrunk, trunkConfigFromArgs, type SparseTrunkConfig } from './sparse-transformer.ts';

export const MESH_DECODER_CLASSES = ['SLatMeshDecoder', 'ElasticSLatMeshDecoder'];

export interface MeshDecoderConfig extends SparseTrunkConfig {
  useColor: boolean;
  /** 8 sdf + 24 deform + 21 weights (+ 48 colour). */
  outChannels: number;
}

export function meshDecoderConfig(config: ModelConfig, swinGroups = 4): MeshDecoderConfig {
  if (!MESH_DECODER_CLASSES.includes(config.name)) throw new Error(`config name ${config.name} is not a mesh decoder (${MESH_DECODER_CLASSES.join(', ')})`);
  const trunk = trunkConfigFromArgs(config.args, config.name, swinGroups);
  if (trunk.modelChannels % 8 !== 0) throw new Error(`${config.name}: model_channels ${trunk.modelChannels} must be divisible by 8`);
  const useColor = Boolean(config.args.representation_config?.use_color);
  return { ...trunk, useColor, outChannels: 8 + 24 + 21 + (useColor ? 48 : 0) };
}

/** SparseSubdivideBlock3d: x [P,cin] → [8P,cout] at twice the resolution. */
function subdivideBlock(g: GraphBuilder, w: Weights, x: string, nbrChild: string, prefix: string, cin: number, cout: number): string {
  const a = silu(g, groupNormRows(g, w, x, `${prefix}.act_layers.0`, cin));
  let h = submConv3dFromParents(g, w, a, nbrChild, `${prefix}.out_layers.0.conv`, cin, cout);
  h = silu(g, groupNormRows(g, w, h, `${prefix}.out_layers.1`, cout));
  h = submConv3d(g, w, h, nbrChild, `${prefix}.out_layers.3.conv`, cout, cout, 'accumulate');
  // The skip of subdivide(x) equals subdivide(skip(x)): computed on the parents, broadcast ×8.
  const skip = cin === cout ? x : submConv1x1Quirk(g, w, x, `${prefix}.skip_connection.conv`, cin, cout);
  return g.scope(prefix, () => addSubdividedParent(g, h, skip, cout));
}

export function buildMeshDecoderGraph(w: Weights, cfg: MeshDecoderConfig): GraphBuilder {
  const g = w.g;
  const inputs = declareTrunkInputs(g, cfg);
  const nbr1 = g.input('nbr_sub1', 'int32', ['N8', 27]);
  const nbr2 = g.input('nbr_sub2', 'int32', ['N64', 27]);
  const C = cfg.modelChannels;
  let h = sparseTransformerTrunk(g, w, cfg, inputs);
  h = subdivideBlock(g, w, h, nbr1, 'upsample.0', C, C / 4);
  h = subdivideBlock(g, w, h, nbr2, 'upsample.1', C / 4, C / 8);
  const out = linear(g, w, h, 'out_layer', C / 8, cfg.outChannels);
  g.output(out, 'out_feats', 'float32', ['N64', cfg.outChannels]);
  return g;
}

// ---- Chunked form of the finest stage (engine/sparse/mesh-chunks.ts drives it) --------------
// head:  trunk + upsample.0 + upsample.1's act_layers → h_sub1 [8N,C/4] (raw, for the skip) and
//        a_sub1 [8N,C/4] (GroupNorm+SiLU'd, the input of the first conv).
// stats: per chunk, the first conv at the chunk's rows → per-group Σx, Σx² (GroupNorm statistics
//        over all 64N rows are summed in the engine in float64).
// tail:  per chunk, the first conv at the chunk rows plus their neighbours (halo), GroupNorm with
//        the global statistics, SiLU, the second conv at the chunk rows, skip, out_layer.
// Each chunk graph only sees the parent rows it needs, so every tensor scales with the chunk.

const FINAL = 'upsample.1';

export function buildMeshDecoderHeadGraph(w: Weights, cfg: MeshDecoderConfig): GraphBuilder {
  const g = w.g;
  const inputs = declareTrunkInputs(g, cfg);
  const nbr1 = g.input('nbr_sub1', 'int32', ['N8', 27]);
  const C = cfg.modelChannels;
  const h0 = sparseTransformerTrunk(g, w, cfg, inputs);
  const h1 = subdivideBlock(g, w, h0, nbr1, 'upsample.0', C, C / 4);
  const a1 = silu(g, groupNormRows(g, w, h1, `${FINAL}.act_layers.0`, C / 4));
  g.output(h1, 'h_sub1', 'float32', ['N8', C / 4]);
  g.output(a1, 'a_sub1', 'float32', ['N8', C / 4]);
  return g;
}

/** Inputs a_parents [Q,C/4], halo_parent_nbr [R,27] (pad Q) → gn_sum [32], gn_sumsq [32]. */
export function buildMeshDecoderStatsGraph(w: Weights, cfg: MeshDecoderConfig): GraphBuilder {
  const g = w.g;
  const C1 = cfg.modelChannels / 4;
  const C2 = cfg.modelChannels / 8;
  const a = g.input('a_parents', 'float32', ['Q', C1]);
  const nbr = g.input('halo_parent_nbr', 'int32', ['R', 27]);
  const c1 = submConv3dFromParentTable(g, w, a, nbr, `${FINAL}.out_layers.0.conv`, C1, C2);
  const [s, ss] = groupSums(g, c1, `${FINAL}.out_layers.1`, C2);
  g.output(s, 'gn_sum', 'float32', [32]);
  g.output(ss, 'gn_sumsq', 'float32', [32]);
  return g;
}

/**
 * Inputs a_parents [Q,C/4], halo_parent_nbr [H,27] (pad Q; the chunk's R rows first),
 * chunk_nbr [R,27] (indices into the halo, pad H), h_parents [R/8,C/4], gn_mean [32], gn_rstd [32]
 * → out_feats [R,out_channels].
 */
export function buildMeshDecoderTailGraph(w: Weights, cfg: MeshDecoderConfig): GraphBuilder {
  const g = w.g;
  const C1 = cfg.modelChannels / 4;
  const C2 = cfg.modelChannels / 8;
  const a = g.input('a_parents', 'float32', ['Q', C1]);
  const haloNbr = g.input('halo_parent_nbr', 'int32', ['H', 27]);
  const chunkNbr = g.input('chunk_nbr', 'int32', ['R', 27]);
  const hp = g.input('h_parents', 'float32', ['R8', C1]);
  const mean = g.input('gn_mean', 'float32', [32]);
  const rstd = g.input('gn_rstd', 'float32', [32]);
  let h = submConv3dFromParentTable(g, w, a, haloNbr, `${FINAL}.out_layers.0.conv`, C1, C2);
  h = silu(g, groupNormWithStats(g, w, h, mean, rstd, `${FINAL}.out_layers.1`, C2));
  h = submConv3dGathered(g, w, h, chunkNbr, `${FINAL}.out_layers.3.conv`, C2, C2);
  const skip = C1 === C2 ? hp : submConv1x1Quirk(g, w, hp, `${FINAL}.skip_connection.conv`, C1, C2);
  h = g.scope(FINAL, () => addSubdividedParent(g, h, skip, C2));
  const out = linear(g, w, h, 'out_layer', C2, cfg.outChannels);
  g.output(out, 'out_feats', 'float32', ['R', cfg.outChannels]);
  return g;
}

/** Strict load over graphs that split one checkpoint: every tensor is used by at least one. */
export function assertAllUsedAcross(ws: Weights[]): void {
  const left = ws.map((w) => new Set(w.unusedKeys())).reduce((a, b) => new Set([...a].filter((k) => b.has(k))));
  if (left.size) throw new WeightError(`${ws[0].src.label}: ${left.size} tensor(s) used by none of the graphs: ${[...left].slice(0, 10).join(', ')}`);
}
