// A model folder of stand-in graphs with a valid manifest (sizes, sha256, I/O), for engine tests
// that need load() and the model store without the cost of real (even tiny) networks.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type ComponentSpec, type ManifestV1 } from '../../src/models/manifest.ts';
import { fakeDinov2Graph, fakeMeshDecoderGraph, fakeSlatFlowGraph, fakeSsDecoderGraph, fakeSsFlowGraph, fakeU2netGraph, MESH_CONFIG } from './engine-testkit.ts';

export function writeFakeModelFolder(dir: string, opts: { background?: boolean; decoderBias?: number } = {}): ManifestV1 {
  mkdirSync(dir, { recursive: true });
  const comp = (name: string, g: GraphBuilder, config: Record<string, unknown>, cls: string): ComponentSpec => {
    const bytes = g.toBytes();
    const file = `${name}.onnx`;
    writeFileSync(path.join(dir, file), bytes);
    const io = g.describeIO();
    return {
      class: cls,
      config,
      files: [{ path: file, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex'), role: 'graph' }],
      inputs: io.inputs as ComponentSpec['inputs'],
      outputs: io.outputs as ComponentSpec['outputs'],
      dtype: 'fp32',
    };
  };
  const sampler = { steps: 25, cfg_strength: 5, cfg_interval: [0.5, 1] as [number, number], rescale_t: 3, sigma_min: 1e-5 };
  const manifest: ManifestV1 = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    id: path.basename(dir),
    name: 'stand-in graphs',
    dtype: 'fp32',
    components: {
      dinov2: comp('dinov2', fakeDinov2Graph(), {}, 'DinoVisionTransformer'),
      ss_flow: comp('ss_flow', fakeSsFlowGraph(), {}, 'SparseStructureFlowModel'),
      ss_decoder: comp('ss_decoder', fakeSsDecoderGraph(opts.decoderBias ?? 0.8), {}, 'SparseStructureDecoder'),
      slat_flow: comp('slat_flow', fakeSlatFlowGraph(), {}, 'SLatFlowModel'),
      slat_decoder_mesh: comp('slat_decoder_mesh', fakeMeshDecoderGraph(2, 8, 4), MESH_CONFIG, 'SLatMeshDecoder'),
      ...(opts.background ? { background_removal: comp('background_removal', fakeU2netGraph(), { kind: 'u2net' }, 'U2Net') } : {}),
    },
    pipeline: {
      ss_sampler: sampler,
      slat_sampler: sampler,
      slat_normalization: { mean: [0, 0, 0, 0, 0, 0, 0, 0], std: [1, 1, 1, 1, 1, 1, 1, 1] },
    },
  };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
