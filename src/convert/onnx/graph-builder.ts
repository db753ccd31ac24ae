// A small typed builder for ONNX graphs. Node names carry the scope they were built in
// (e.g. "blocks.3/self_attn/MatMul_12") so a graph stays readable in Netron and in ORT's
// error messages. Initializers keep references to their bytes; serialisation streams them.

import { ProtoMessage, type Chunk } from './protobuf-writer.ts';

export type DType = 'float32' | 'float16' | 'int64' | 'int32' | 'bool' | 'uint8' | 'int8';

const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
};

const DTYPE_BYTES: Record<DType, number> = {
  float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8, bool: 1, float16: 2,
};

export function onnxDataType(d: DType): number {
  return ONNX_DTYPE[d];
}

export type Dim = number | string;

/** Explicitly typed attribute values; plain numbers are INT when integral, FLOAT otherwise. */
export type AttrValue =
  | number
  | string
  | number[]
  | { float: number }
  | { floats: number[] }
  | { ints: number[] }
  | { tensor: TensorData }
  /** A subgraph (Loop/If/Scan body); it may read values of the enclosing graph by name. */
  | { graph: GraphBuilder };

export interface TensorData {
  dtype: DType;
  dims: number[];
  /** Little-endian raw bytes of the tensor in C order. */
  bytes: Uint8Array;
}

export function tensorFromArray(
  dtype: DType,
  dims: number[],
  values: ArrayLike<number> | ArrayLike<bigint> | ArrayBufferView,
): TensorData {
  const n = dims.reduce((a, b) => a * b, 1);
  if (ArrayBuffer.isView(values)) {
    const v = values as ArrayBufferView;
    if (v.byteLength !== n * DTYPE_BYTES[dtype]) {
      throw new Error(`tensor of dims [${dims}] ${dtype} needs ${n * DTYPE_BYTES[dtype]} bytes, got ${v.byteLength}`);
    }
    return { dtype, dims, bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) };
  }
  const arr = values as ArrayLike<number>;
  if (arr.length !== n) throw new Error(`tensor of dims [${dims}] needs ${n} values, got ${arr.length}`);
  let typed: ArrayBufferView;
  switch (dtype) {
    case 'float32': typed = Float32Array.from(arr); break;
    case 'int32': typed = Int32Array.from(arr); break;
    case 'int64': typed = BigInt64Array.from(Array.from(arr, (x) => BigInt(x))); break;
    case 'uint8': case 'bool': typed = Uint8Array.from(arr); break;
    case 'int8': typed = Int8Array.from(arr); break;
    case 'float16': typed = Uint16Array.from(arr as ArrayLike<number>); break;
  }
  return { dtype, dims, bytes: new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength) };
}

interface ValueInfo { name: string; dtype: DType; shape: Dim[] }
interface NodeDef {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  domain: string;
  attrs: Record<string, AttrValue>;
}

export interface SerializeOptions {
  /** Write initializers of at least `externalThreshold` bytes to this file (relative name). */
  externalDataFile?: string;
  externalThreshold?: number;
  /**
   * Split external data into files of at most this many bytes (a tensor larger than that gets a
   * file of its own): browsers handle single ArrayBuffers over ~2 GB badly. Shard 0 is
   * `externalDataFile`, shard i > 0 is `${externalDataFile}.${i}`.
   */
  maxShardBytes?: number;
}

export interface ExternalShard {
  file: string;
  chunks: Chunk[];
  bytes: number;
}

export interface SerializedModel {
  model: Chunk[];
  modelBytes: number;
  /** External data files in order (empty when nothing was externalised). */
  shards?: ExternalShard[];
  /** Chunks of the external data file, if any. */
  data?: Chunk[];
  dataBytes?: number;
}

export class GraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly nodes: NodeDef[] = [];
  private readonly initializers = new Map<string, TensorData>();
  private readonly scopes: string[] = [];
  private readonly usedNames = new Set<string>();
  private counter = 0;
  private readonly constCache = new Map<string, string>();
  readonly opsets: Record<string, number> = { '': 17 };

  constructor(readonly graphName: string) {}

  /** Build nodes under a readable prefix, e.g. the state-dict module path. */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  private scoped(base: string): string {
    const prefix = this.scopes.join('/');
    const raw = prefix ? `${prefix}/${base}` : base;
    let name = raw;
    while (this.usedNames.has(name)) name = `${raw}_${this.counter++}`;
    this.usedNames.add(name);
    return name;
  }

  input(name: string, dtype: DType, shape: Dim[]): string {
    if (this.usedNames.has(name)) throw new Error(`duplicate graph value name ${name}`);
    this.usedNames.add(name);
    this.inputs.push({ name, dtype, shape });
    return name;
  }

  /** Mark an existing value as a graph output under `name` (adds an Identity if renamed). */
  output(value: string, name: string, dtype: DType, shape: Dim[]): string {
    let v = value;
    if (value !== name) {
      if (this.usedNames.has(name)) throw new Error(`duplicate graph value name ${name}`);
      this.usedNames.add(name);
      this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: `output/${name}`, domain: '', attrs: {} });
      v = name;
    }
    this.outputs.push({ name: v, dtype, shape });
    return v;
  }

  initializer(name: string, tensor: TensorData): string {
    if (this.initializers.has(name)) throw new Error(`duplicate initializer ${name}`);
    this.usedNames.add(name);
    this.initializers.set(name, tensor);
    return name;
  }

  hasInitializer(name: string): boolean {
    return this.initializers.has(name);
  }

  /** A constant initializer; identical small constants are shared. */
  constant(dtype: DType, dims: number[], values: ArrayLike<number> | ArrayBufferView, hint = 'const'): string {
    const t = tensorFromArray(dtype, dims, values as ArrayLike<number>);
    const key = t.bytes.byteLength <= 64 ? `${dtype}|${dims.join(',')}|${Array.from(t.bytes).join(',')}` : '';
    if (key && this.constCache.has(key)) return this.constCache.get(key)!;
    const name = this.scoped(hint);
    this.initializers.set(name, t);
    if (key) this.constCache.set(key, name);
    return name;
  }

  i64(values: number[], dims: number[] = [values.length]): string {
    return this.constant('int64', dims, values, 'i64');
  }

  f32(values: number[], dims: number[] = [values.length]): string {
    return this.constant('float32', dims, values, 'f32');
  }

  /** Scalar float32 constant (rank 0). */
  scalar(value: number): string {
    return this.constant('float32', [], [value], 'scalar');
  }

  /** Add a node with several outputs. */
  nodeMulti(
    opType: string,
    inputs: string[],
    nOutputs: number,
    attrs: Record<string, AttrValue> = {},
    opts: { domain?: string; name?: string } = {},
  ): string[] {
    const name = this.scoped(opts.name ?? opType);
    const outputs = Array.from({ length: nOutputs }, (_, i) => (nOutputs === 1 ? `${name}:out` : `${name}:out${i}`));
    for (const o of outputs) this.usedNames.add(o);
    const domain = opts.domain ?? '';
    if (domain && !(domain in this.opsets)) this.opsets[domain] = 1;
    // Domains used inside a subgraph must be imported by the model that holds it.
    for (const a of Object.values(attrs)) {
      if (typeof a === 'object' && a !== null && 'graph' in a) {
        for (const [d, v] of Object.entries(a.graph.opsets)) if (!(d in this.opsets)) this.opsets[d] = v;
      }
    }
    this.nodes.push({ opType, inputs, outputs, name, domain, attrs });
    return outputs;
  }

  /** Add a node with one output and return the output's name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, opts: { domain?: string; name?: string } = {}): string {
    return this.nodeMulti(opType, inputs, 1, attrs, opts)[0];
  }

  /** The graph's declared inputs and outputs (for manifests and engine feeds). */
  describeIO(): { inputs: { name: string; dtype: DType; shape: Dim[] }[]; outputs: { name: string; dtype: DType; shape: Dim[] }[] } {
    const copy = (v: ValueInfo) => ({ name: v.name, dtype: v.dtype, shape: [...v.shape] });
    return { inputs: this.inputs.map(copy), outputs: this.outputs.map(copy) };
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  initializerBytes(): number {
    let n = 0;
    for (const t of this.initializers.values()) n += t.bytes.byteLength;
    return n;
  }

  serialize(opts: SerializeOptions = {}): SerializedModel {
    const threshold = opts.externalThreshold ?? 1024;
    const maxShard = opts.maxShardBytes ?? Infinity;
    const shards: ExternalShard[] = [];
    const newShard = () => {
      const file = shards.length === 0 ? opts.externalDataFile! : `${opts.externalDataFile}.${shards.length}`;
      shards.push({ file, chunks: [], bytes: 0 });
      return shards[shards.length - 1];
    };
    const graph = this.encodeGraph((t) => {
      if (!opts.externalDataFile || t.bytes.byteLength < threshold) return null;
      let shard = shards.length ? shards[shards.length - 1] : newShard();
      if (shard.bytes > 0 && shard.bytes + t.bytes.byteLength > maxShard) shard = newShard();
      // ORT requires no particular alignment, but 64-byte alignment lets it copy fast.
      const pad = (64 - (shard.bytes % 64)) % 64;
      if (pad) {
        shard.chunks.push(new Uint8Array(pad));
        shard.bytes += pad;
      }
      shard.chunks.push(t.bytes);
      const offset = shard.bytes;
      shard.bytes += t.bytes.byteLength;
      return { location: shard.file, offset };
    });

    const model = new ProtoMessage();
    model.varint(1, 8); // ir_version 8 (ONNX 1.10+), accepted by ORT 1.30
    model.string(2, 'trellis-web');
    model.string(3, '0.1');
    model.message(7, graph);
    for (const [domain, version] of Object.entries(this.opsets)) {
      const os = new ProtoMessage();
      if (domain) os.string(1, domain);
      os.varint(2, version);
      model.message(8, os);
    }
    const chunks = model.finish();
    const out: SerializedModel = { model: chunks, modelBytes: model.byteLength };
    if (opts.externalDataFile) {
      out.shards = shards;
      // Single-file view kept for callers that do not shard.
      if (shards.length <= 1) {
        out.data = shards[0]?.chunks ?? [];
        out.dataBytes = shards[0]?.bytes ?? 0;
      }
    }
    if (out.modelBytes > 2 ** 31 - 1) {
      throw new Error(`graph ${this.graphName} is ${out.modelBytes} bytes: over protobuf's 2 GiB limit, use external data`);
    }
    return out;
  }

  /** GraphProto of this graph; `external` decides per initializer whether it goes to the data file. */
  encodeGraph(external: (t: TensorData) => { location: string; offset: number } | null = () => null): ProtoMessage {
    const graph = new ProtoMessage();
    for (const n of this.nodes) graph.message(1, encodeNode(n));
    graph.string(2, this.graphName);
    for (const [name, t] of this.initializers) {
      const tp = new ProtoMessage();
      for (const d of t.dims) tp.varint(1, d);
      tp.varint(2, ONNX_DTYPE[t.dtype]);
      tp.string(8, name);
      const ext = external(t);
      if (ext) {
        const entry = (k: string, v: string) => new ProtoMessage().string(1, k).string(2, v);
        tp.message(13, entry('location', ext.location));
        tp.message(13, entry('offset', String(ext.offset)));
        tp.message(13, entry('length', String(t.bytes.byteLength)));
        tp.varint(14, 1);
      } else {
        tp.bytes(9, t.bytes);
      }
      graph.message(5, tp);
    }
    for (const v of this.inputs) graph.message(11, encodeValueInfo(v));
    for (const v of this.outputs) graph.message(12, encodeValueInfo(v));
    return graph;
  }

  /** Whole model in one buffer (small graphs, tests). */
  toBytes(): Uint8Array {
    const s = this.serialize();
    return concatChunks(s.model, s.modelBytes);
  }
}

export function concatChunks(chunks: Chunk[], total?: number): Uint8Array {
  const n = total ?? chunks.reduce((a, c) => a + c.byteLength, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

function encodeValueInfo(v: ValueInfo): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of v.shape) {
    const dim = new ProtoMessage();
    if (typeof d === 'number') dim.varint(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoMessage().varint(1, ONNX_DTYPE[v.dtype]).message(2, shape);
  const type = new ProtoMessage().message(1, tensorType);
  return new ProtoMessage().string(1, v.name).message(2, type);
}

function encodeNode(n: NodeDef): ProtoMessage {
  const m = new ProtoMessage();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.name);
  m.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attrs)) m.message(5, encodeAttr(k, v));
  if (n.domain) m.string(7, n.domain);
  return m;
}

function encodeAttr(name: string, v: AttrValue): ProtoMessage {
  const a = new ProtoMessage().string(1, name);
  if (typeof v === 'number') {
    if (Number.isInteger(v)) a.varint(3, v).varint(20, 2);
    else a.float32(2, v).varint(20, 1);
  } else if (typeof v === 'string') {
    a.string(4, v).varint(20, 3);
  } else if (Array.isArray(v)) {
    if (v.every((x) => Number.isInteger(x))) a.packedVarints(8, v).varint(20, 7);
    else a.packedFloats(7, v).varint(20, 6);
  } else if ('float' in v) {
    a.float32(2, v.float).varint(20, 1);
  } else if ('floats' in v) {
    a.packedFloats(7, v.floats).varint(20, 6);
  } else if ('ints' in v) {
    a.packedVarints(8, v.ints).varint(20, 7);
  } else if ('graph' in v) {
    // Subgraph initializers stay inline: bodies hold small constants, weights live outside.
    a.message(6, v.graph.encodeGraph()).varint(20, 5);
  } else if ('tensor' in v) {
    const t = v.tensor;
    const tp = new ProtoMessage();
    for (const d of t.dims) tp.varint(1, d);
    tp.varint(2, ONNX_DTYPE[t.dtype]);
    tp.bytes(9, t.bytes);
    a.message(5, tp).varint(20, 4);
  }
  return a;
}
