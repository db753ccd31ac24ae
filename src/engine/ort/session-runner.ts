// One ORT session per component: feeds checked against the manifest's declared inputs, constant
// inputs pinned (a GPU buffer under WebGPU, so cond and index maps are uploaded once per stage,
// not once per step), outputs returned on the host because the sampler's Euler update runs in
// TypeScript between calls.
import { EngineError } from '../errors.ts';
import type { ComponentName } from '../../models/manifest.ts';
import type { ComponentIO, ComponentRunner, FeedValue, HostTensor, PinnedTensor } from '../pipeline/types.ts';
import { isPinned } from '../pipeline/types.ts';
import { BUFFER_USAGE, type GpuDeviceLike } from './gpu-types.ts';
import { mapOrtError } from './ort-errors.ts';
import { ort, type OrtBackend } from './ort-runtime.ts';
import { parsePlacement, withOrtLog, type Placement } from './placement.ts';

export interface SessionFiles {
  graph: Uint8Array;
  /** External data files, `path` as the graph references them (relative to the graph file). */
  externalData: { path: string; data: Uint8Array }[];
}

export interface RunnerOptions {
  backend: OrtBackend;
  device?: GpuDeviceLike;
  /** Ask ORT for its verbose log during creation and parse the node placement from it. */
  inspectPlacement?: boolean;
  deviceLost?: () => string | null;
}

class HostPinned implements PinnedTensor {
  readonly kind = 'pinned';
  constructor(readonly tensor: ort.Tensor, readonly dtype: HostTensor['dtype'], readonly dims: readonly number[]) {}
  release(): void {
    // host memory: nothing to free beyond dropping the reference
  }
}

class GpuPinned implements PinnedTensor {
  readonly kind = 'pinned';
  private released = false;
  constructor(
    readonly tensor: ort.Tensor,
    private readonly buffer: { destroy(): void },
    readonly dtype: HostTensor['dtype'],
    readonly dims: readonly number[],
  ) {}
  release(): void {
    if (this.released) return;
    this.released = true;
    this.tensor.dispose();
    this.buffer.destroy();
  }
}

const ORT_DTYPES = new Set(['float32', 'float16', 'int64', 'int32', 'int8', 'uint8', 'bool']);

/** The graph's inputs/outputs as ORT reads them (symbolic dims keep their names). */
export function sessionIO(session: ort.InferenceSession): ComponentIO {
  const spec = (m: ort.InferenceSession.ValueMetadata) => {
    if (!m.isTensor || !ORT_DTYPES.has(m.type)) throw new EngineError('MODEL_CORRUPT', `graph value ${m.name} is not a supported tensor`);
    return { name: m.name, dtype: m.type as 'float32', shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : String(d))) };
  };
  return { inputs: session.inputMetadata.map(spec), outputs: session.outputMetadata.map(spec) };
}

function hostTensor(t: HostTensor): ort.Tensor {
  return new ort.Tensor(t.dtype, t.data as never, t.dims);
}

/**
 * WASM: no graph optimisation. ORT's optimisers fold every Cast(fp16 weight) into an fp32 copy,
 * so an fp16 model's weights take three times their file size in the wasm heap at creation (the
 * released SLat flow: 3.25 GiB of the 4 GiB a wasm32 heap can have, before any activation); with
 * optimisation off they stay fp16 (1.19 GiB) and each layer's Cast runs when the layer does.
 * WebGPU: full optimisation; the folded fp32 weights live on the GPU, which needs them in fp32
 * without shader-f16 (the heap high-water mark during creation stays under 4 GiB).
 */
export function graphOptimizationFor(backend: OrtBackend): 'disabled' | 'all' {
  return backend === 'wasm' ? 'disabled' : 'all';
}

export class OrtComponentRunner implements ComponentRunner {
  private released = false;

  private constructor(
    readonly name: ComponentName,
    readonly io: ComponentIO,
    private readonly session: ort.InferenceSession,
    private readonly opts: RunnerOptions,
    readonly placement: Placement | null,
  ) {}

  /** `io` null: take the declared I/O from the graph itself (tests and `verify`, which build graphs in memory). */
  static async create(name: ComponentName, io: ComponentIO | null, files: SessionFiles, opts: RunnerOptions): Promise<OrtComponentRunner> {
    const options = (logSeverityLevel: 0 | 3): ort.InferenceSession.SessionOptions => ({
      executionProviders: opts.backend === 'webgpu' ? [{ name: 'webgpu', device: opts.device as never }] : ['wasm'],
      graphOptimizationLevel: graphOptimizationFor(opts.backend),
      externalData: files.externalData,
      logSeverityLevel,
      logVerbosityLevel: 0,
    });
    try {
      let placement: Placement | null = null;
      if (opts.inspectPlacement) {
        // A verbose session logs every kernel launch too, so it is only used to read the node
        // placement and then released; the session that runs is created quiet.
        const r = await withOrtLog(() => ort.InferenceSession.create(files.graph, options(0)));
        placement = parsePlacement(r.lines);
        await r.value.release();
      }
      const session = await ort.InferenceSession.create(files.graph, options(3));
      return new OrtComponentRunner(name, io ?? sessionIO(session), session, opts, placement);
    } catch (error) {
      throw mapOrtError(error, `creating the ${name} session (${opts.backend})`, opts.deviceLost, opts.backend);
    }
  }

  async pin(t: HostTensor): Promise<PinnedTensor> {
    const device = this.opts.device;
    const bytes = t.data.byteLength;
    if (this.opts.backend !== 'webgpu' || !device || bytes === 0 || bytes % 4 !== 0) return new HostPinned(hostTensor(t), t.dtype, t.dims);
    try {
      // ORT copies GPU tensors in 16-byte units, so the buffer is padded to a multiple of 16.
      const size = Math.ceil(bytes / 16) * 16;
      const buffer = device.createBuffer({ size, usage: BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_SRC | BUFFER_USAGE.COPY_DST, label: `${this.name} pinned` });
      device.queue.writeBuffer(buffer, 0, t.data.buffer as ArrayBuffer, t.data.byteOffset, bytes);
      const tensor = ort.Tensor.fromGpuBuffer(buffer as never, { dataType: t.dtype as 'float32', dims: t.dims });
      return new GpuPinned(tensor, buffer, t.dtype, t.dims);
    } catch (error) {
      throw mapOrtError(error, `uploading a ${t.dtype} [${t.dims.join(', ')}] tensor for ${this.name}`, this.opts.deviceLost, this.opts.backend);
    }
  }

  private checkFeeds(feeds: Record<string, FeedValue>): void {
    const declared = new Set(this.io.inputs.map((s) => s.name));
    const missing = [...declared].filter((n) => !(n in feeds));
    const extra = Object.keys(feeds).filter((n) => !declared.has(n));
    if (missing.length || extra.length) {
      throw new EngineError(
        'INTERNAL',
        `${this.name}: feeds do not match the graph inputs (${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `not in the graph: ${extra.join(', ')}` : ''})`,
      );
    }
  }

  async run(feeds: Record<string, FeedValue>, outputs?: string[]): Promise<Record<string, HostTensor>> {
    if (this.released) throw new EngineError('INTERNAL', `${this.name}: session used after release`);
    this.checkFeeds(feeds);
    const inputs: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) inputs[k] = isPinned(v) ? (v as HostPinned | GpuPinned).tensor : hostTensor(v);
    let result: ort.InferenceSession.ReturnType;
    try {
      result = outputs ? await this.session.run(inputs, outputs) : await this.session.run(inputs);
    } catch (error) {
      throw mapOrtError(error, `running ${this.name}`, this.opts.deviceLost, this.opts.backend);
    }
    const out: Record<string, HostTensor> = {};
    for (const [k, t] of Object.entries(result)) {
      const data = (t.location === 'cpu' || t.location === 'cpu-pinned' ? t.data : await t.getData(true)) as HostTensor['data'];
      out[k] = { dtype: t.type as HostTensor['dtype'], dims: [...t.dims], data };
      if (t.location !== 'cpu' && t.location !== 'cpu-pinned') t.dispose();
    }
    return out;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}
