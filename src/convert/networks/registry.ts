// Which graph builder handles which reference class, and how a checkpoint becomes one or more
// named ONNX graphs. The one place the converter, `verify` and the fixtures look networks up.

import type { ModelConfig } from '../checkpoint.ts';
import { GraphBuilder, type Dim, type DType } from '../onnx/graph-builder.ts';
import { Weights, type StateDictSource, type WeightDType } from '../weights.ts';
import type { ComponentName } from '../../models/manifest.ts';
import { buildSsFlow, SS_FLOW_CLASSES } from './ss-flow.ts';
import { buildSlatFlow, SLAT_FLOW_CLASSES, type SlatFlowConvertOptions } from './slat-flow.ts';
import { buildDinov2, dinov2Source, DINOV2_UNUSED } from './dinov2.ts';
import { buildSsDecoderGraph, ssDecoderConfig } from './ss-decoder.ts';
import {
  assertAllUsedAcross,
  buildMeshDecoderHeadGraph,
  buildMeshDecoderStatsGraph,
  buildMeshDecoderTailGraph,
  meshDecoderConfig,
  MESH_DECODER_CLASSES,
} from './slat-decoder-mesh.ts';
import { buildGsDecoderGraph, gsDecoderConfig, GS_DECODER_CLASSES } from './slat-decoder-gs.ts';
import type { ConvertOptions as GraphBuildOptions } from './network-io.ts';

export type GraphOptions = GraphBuildOptions & Pick<SlatFlowConvertOptions, 'convMode'> & {
  /** Stage-1 latent grid size the sparse-structure decoder reads (the flow's resolution; 16 as released). */
  ssResolution?: number;
};

export interface GraphIO {
  name: string;
  dtype: DType;
  shape: Dim[];
}

export interface BuiltGraph {
  /** 'main' for single-graph networks; the mesh decoder has 'head', 'stats', 'tail'. */
  name: string;
  graph: GraphBuilder;
  inputs: GraphIO[];
  outputs: GraphIO[];
}

export interface BuiltNetwork {
  component: ComponentName;
  graphs: BuiltGraph[];
}

export interface NetworkConverter {
  component: ComponentName;
  classes: string[];
  /** Builds every graph; strict: every checkpoint tensor must end up in some graph. */
  build(config: ModelConfig, source: StateDictSource, dtype: WeightDType, opts: GraphOptions): BuiltNetwork;
}

function graphOf(name: string, g: GraphBuilder): BuiltGraph {
  return { name, graph: g, ...g.describeIO() };
}

function single(component: ComponentName, classes: string[], build: (config: ModelConfig, w: Weights, opts: GraphOptions) => GraphBuilder, ignore?: (k: string) => boolean, wrap?: (s: StateDictSource) => StateDictSource): NetworkConverter {
  return {
    component,
    classes,
    build(config, source, dtype, opts) {
      const g = new GraphBuilder(component);
      const w = new Weights(wrap ? wrap(source) : source, g, dtype);
      const graph = build(config, w, opts);
      w.assertAllUsed(ignore);
      return { component, graphs: [graphOf('main', graph)] };
    },
  };
}

export const NETWORKS: NetworkConverter[] = [
  single('ss_flow', SS_FLOW_CLASSES, (c, w, o) => buildSsFlow(c.args, w, o).graph),
  single('ss_decoder', ['SparseStructureDecoder'], (c, w, o) => buildSsDecoderGraph(w, ssDecoderConfig(c, o.ssResolution ?? 16))),
  single('slat_flow', SLAT_FLOW_CLASSES, (c, w, o) => buildSlatFlow(c.args, w, o).graph),
  single('slat_decoder_gs', GS_DECODER_CLASSES, (c, w) => buildGsDecoderGraph(w, gsDecoderConfig(c))),
  single('dinov2', ['DinoVisionTransformer'], (c, w, o) => buildDinov2(c.args, w, o).graph, DINOV2_UNUSED, dinov2Source),
  {
    component: 'slat_decoder_mesh',
    classes: MESH_DECODER_CLASSES,
    build(config, source, dtype) {
      const cfg = meshDecoderConfig(config);
      const parts: [string, (w: Weights) => GraphBuilder][] = [
        ['head', (w) => buildMeshDecoderHeadGraph(w, cfg)],
        ['stats', (w) => buildMeshDecoderStatsGraph(w, cfg)],
        ['tail', (w) => buildMeshDecoderTailGraph(w, cfg)],
      ];
      const ws: Weights[] = [];
      const graphs = parts.map(([name, build]) => {
        const w = new Weights(source, new GraphBuilder(`slat_decoder_mesh.${name}`), dtype);
        ws.push(w);
        return graphOf(name, build(w));
      });
      assertAllUsedAcross(ws);
      return { component: 'slat_decoder_mesh', graphs };
    },
  },
];

export function findConverter(className: string, where = ''): NetworkConverter {
  const c = NETWORKS.find((n) => n.classes.includes(className));
  if (!c) {
    const known = NETWORKS.flatMap((n) => n.classes).join(', ');
    throw new Error(`${where ? `${where}: ` : ''}unknown model class "${className}"; this converter knows ${known}`);
  }
  return c;
}

/** Convenience for tests and `verify`: the graph bytes of a checkpoint, in memory. */
export function buildNetwork(config: ModelConfig, source: StateDictSource, dtype: WeightDType = 'fp32', opts: GraphOptions = {}): BuiltNetwork {
  return findConverter(config.name, source.label).build(config, source, dtype, opts);
}
