// Small stand-in networks with the real graphs' I/O names, for engine plumbing tests. Each has a
// closed form the tests replicate in TypeScript.
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { slatFlowIndexInputs } from '../../src/engine/sparse/slat-flow-index.ts';
import { trunkIndexInputs } from '../../src/engine/sparse/decoder-feeds.ts';
import { OrtComponentRunner } from '../../src/engine/ort/session-runner.ts';
import { configureOrt } from '../../src/engine/ort/ort-runtime.ts';
import { FixedProvider, type FixedComponent } from '../../src/engine/pipeline/fixed-provider.ts';
import type { ComponentRunner, FeedValue, HostTensor, PinnedTensor } from '../../src/engine/pipeline/types.ts';
import type { ComponentName } from '../../src/models/manifest.ts';

export const R = 4; // stage-1 latent grid
export const L = 5;
export const C = 6;

/** v = 0.5·x + mean(cond) + 0.001·t (per batch item). */
export function fakeSsFlow(): Uint8Array {
  return fakeSsFlowGraph().toBytes();
}

export function fakeSsFlowGraph(): GraphBuilder {
  const g = new GraphBuilder('fake_ss_flow');
  const x = g.input('x', 'float32', ['B', 8, R, R, R]);
  const t = g.input('t', 'float32', ['B']);
  const cond = g.input('cond', 'float32', ['B', 'L', C]);
  const m = g.op('Reshape', [g.op('ReduceMean', [cond], { axes: [1, 2], keepdims: 1 }), g.i64([-1, 1, 1, 1, 1])]);
  const tt = g.op('Mul', [g.op('Reshape', [t, g.i64([-1, 1, 1, 1, 1])]), g.f32([0.001], [])]);
  const v = g.op('Add', [g.op('Add', [g.op('Mul', [x, g.f32([0.5], [])]), m]), tt]);
  g.output(v, 'v', 'float32', ['B', 8, R, R, R]);
  return g;
}

export function fakeSsFlowJs(x: Float32Array, t1000: number, cond: Float32Array): Float32Array {
  let s = 0;
  for (const c of cond) s += c;
  const m = Math.fround(s / cond.length);
  return x.map((v) => Math.fround(Math.fround(v * 0.5) + m) + Math.fround(t1000 * 0.001));
}

/** logits [1,1,2R,2R,2R] = nearest-upsampled channel 0 of z, plus `bias`. */
export function fakeSsDecoder(bias: number): Uint8Array {
  return fakeSsDecoderGraph(bias).toBytes();
}

export function fakeSsDecoderGraph(bias: number): GraphBuilder {
  const g = new GraphBuilder('fake_ss_decoder');
  const z = g.input('z', 'float32', ['B', 8, R, R, R]);
  const c0 = g.op('Slice', [z, g.i64([0]), g.i64([1]), g.i64([1])]);
  const up = g.op('Resize', [c0, '', g.f32([1, 1, 2, 2, 2])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  g.output(g.op('Add', [up, g.f32([bias], [])]), 'logits', 'float32', ['B', 1, 2 * R, 2 * R, 2 * R]);
  return g;
}

/** v = 0.3·feats + mean(cond) + 0.002·t + 0.01·(mean of the coarse position) of each voxel's parent. */
export function fakeSlatFlow(): Uint8Array {
  return fakeSlatFlowGraph().toBytes();
}

export function fakeSlatFlowGraph(): GraphBuilder {
  const g = new GraphBuilder('fake_slat_flow');
  const feats = g.input('feats', 'float32', ['N', 8]);
  const t = g.input('t', 'float32', [1]);
  const cond = g.input('cond', 'float32', [1, 'L', C]);
  for (const [name, dtype, shape] of [
    ['nbr_fine', 'int32', ['N', 27]],
    ['nbr_coarse', 'int32', ['M', 27]],
    ['down_children', 'int32', ['M', 8]],
    ['down_inv', 'float32', ['M', 1]],
  ] as const) g.input(name, dtype, [...shape]);
  const up = g.input('up_index', 'int32', ['N']);
  const pos = g.input('coarse_pos', 'float32', ['M', 3]);
  const parentPos = g.op('ReduceMean', [g.op('Gather', [pos, up], { axis: 0 })], { axes: [1], keepdims: 1 }); // [N,1]
  const m = g.op('ReduceMean', [cond], { axes: [0, 1, 2], keepdims: 0 });
  let v = g.op('Add', [g.op('Mul', [feats, g.f32([0.3], [])]), m]);
  v = g.op('Add', [v, g.op('Mul', [t, g.f32([0.002], [])])]);
  v = g.op('Add', [v, g.op('Mul', [parentPos, g.f32([0.01], [])])]);
  g.output(v, 'v', 'float32', ['N', 8]);
  return g;
}

/** Mesh decoder stand-in (single graph): out_feats[r] = feats[r / 64] @ W (W[i][j] = (i + 1)·0.01·(j % 7 − 3)). */
export function fakeMeshDecoder(numBlocks: number, windowSize: number, swinGroups: number): Uint8Array {
  return fakeMeshDecoderGraph(numBlocks, windowSize, swinGroups).toBytes();
}

export function fakeMeshDecoderGraph(numBlocks: number, windowSize: number, swinGroups: number): GraphBuilder {
  const g = new GraphBuilder('fake_mesh');
  const feats = g.input('feats', 'float32', ['N', 8]);
  const sample = new Int32Array([0, 1, 1, 1, 0, 1, 1, 2]);
  for (const [name, f] of Object.entries(trunkIndexInputs(sample, 2, { windowSize, swinGroups, numBlocks }))) {
    g.input(name, f.dtype, f.dims.map((_, i) => `${name}_${i}`));
  }
  g.input('nbr_sub1', 'int32', ['N8', 27]);
  const nbr2 = g.input('nbr_sub2', 'int32', ['N64', 27]);
  // Row r's own index is its centre neighbour (offset 13); its latent row is r / 64. No shape
  // arithmetic, so every node can run on the WebGPU EP.
  const self = g.op('Gather', [nbr2, g.constant('int32', [], [13], 'centre')], { axis: 1 });
  const idx = g.op('Div', [self, g.constant('int32', [], [64], 'sixty_four')]);
  const w = new Float32Array(8 * 101).map((_, k) => (Math.floor(k / 101) + 1) * 0.01 * ((k % 101) % 7 - 3));
  const y = g.op('MatMul', [feats, g.constant('float32', [8, 101], w, 'w')]);
  g.output(g.op('Gather', [y, idx], { axis: 0 }), 'out_feats', 'float32', ['N64', 101]);
  return g;
}

/** Counts pins and releases around a real runner. */
export class CountingRunner implements ComponentRunner {
  pins = 0;
  releases = 0;
  calls = 0;
  constructor(private readonly inner: ComponentRunner) {}
  get name() {
    return this.inner.name;
  }
  get io() {
    return this.inner.io;
  }
  run(feeds: Record<string, FeedValue>, outputs?: string[]): Promise<Record<string, HostTensor>> {
    this.calls++;
    return this.inner.run(feeds, outputs);
  }
  async pin(t: HostTensor): Promise<PinnedTensor> {
    const p = await this.inner.pin(t);
    this.pins++;
    return { kind: 'pinned', dtype: p.dtype, dims: p.dims, release: () => { this.releases++; p.release(); }, tensor: (p as unknown as { tensor: unknown }).tensor } as PinnedTensor;
  }
}

export async function runnerOf(name: ComponentName, bytes: Uint8Array): Promise<OrtComponentRunner> {
  configureOrt();
  return OrtComponentRunner.create(name, null, { graph: bytes, externalData: [] }, { backend: 'wasm' });
}

export const MESH_CONFIG = { resolution: 64, num_blocks: 2, window_size: 8, model_channels: 64 };

export async function fakeProvider(opts: { decoderBias?: number } = {}): Promise<{ provider: FixedProvider; counters: Record<string, CountingRunner> }> {
  const counters: Record<string, CountingRunner> = {
    ss_flow: new CountingRunner(await runnerOf('ss_flow', fakeSsFlow())),
    ss_decoder: new CountingRunner(await runnerOf('ss_decoder', fakeSsDecoder(opts.decoderBias ?? 0.8))),
    slat_flow: new CountingRunner(await runnerOf('slat_flow', fakeSlatFlow())),
    slat_decoder_mesh: new CountingRunner(await runnerOf('slat_decoder_mesh', fakeMeshDecoder(2, 8, 4))),
  };
  const entries: Partial<Record<ComponentName, FixedComponent>> = {};
  for (const [name, r] of Object.entries(counters)) {
    entries[name as ComponentName] = { runners: { main: r }, config: name === 'slat_decoder_mesh' ? MESH_CONFIG : {} };
  }
  return { provider: new FixedProvider(entries), counters };
}

export { slatFlowIndexInputs };

/** DINOv2 stand-in: cond[b] = reshape(mean over pixels of image[b] (3 values) @ W[3, L·C]). */
export function fakeDinov2Graph(size = 518): GraphBuilder {
  const g = new GraphBuilder('fake_dinov2');
  const img = g.input('image', 'float32', ['B', 3, size, size]);
  const m = g.op('ReduceMean', [img], { axes: [2, 3], keepdims: 0 }); // [B,3]
  const w = new Float32Array(3 * L * C).map((_, k) => Math.cos(k * 0.21));
  const y = g.op('MatMul', [m, g.constant('float32', [3, L * C], w, 'w')]);
  g.output(g.op('Reshape', [y, g.i64([-1, L, C])]), 'cond', 'float32', ['B', L, C]);
  return g;
}

/**
 * u2net stand-in: the "saliency" map is (normalised red − normalised green) of the input, so a
 * red object on a green background comes out as foreground. Output d0 [1,1,S,S] like u2net's first output.
 */
export function fakeU2netGraph(size = 320): GraphBuilder {
  const g = new GraphBuilder('fake_u2net');
  const x = g.input('input.1', 'float32', [1, 3, size, size]);
  const r = g.op('Slice', [x, g.i64([0]), g.i64([1]), g.i64([1])]);
  const gr = g.op('Slice', [x, g.i64([1]), g.i64([2]), g.i64([1])]);
  g.output(g.op('Sigmoid', [g.op('Sub', [r, gr])]), 'd0', 'float32', [1, 1, size, size]);
  return g;
}
