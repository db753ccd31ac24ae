// Shapes of every value of an ONNX graph for concrete input shapes, without running it: the
// largest tensor a graph materialises at a given voxel count is a property of the graph, and a
// browser's limits (1 GiB per WebGPU binding on most desktop GPUs, a 4 GiB wasm32 heap) are
// about exactly that. The bench and the tests use it to prove no tensor of a converted graph
// crosses those limits at real sizes, including sizes too slow to run here.
//
// Covers the ops this project's converter emits. The int64 shape arithmetic that sizes the
// dynamic-S attention pieces (Shape → Add/Div/Mul/Sub → Concat → Pad/Reshape/Slice) is evaluated
// on values, so Reshape/Pad/Slice/Expand get their real sizes. An op outside the table is an
// error naming it: a silent guess would defeat the purpose.

import { ONNX_ELEM, onnxGraphFields, protoFields, protoMessages, protoText, readValueInfo, type ElemType } from './onnx-reader.ts';

const ELEM_BYTES: Partial<Record<ElemType, number>> = { float32: 4, float16: 2, float64: 8, bfloat16: 2, int64: 8, int32: 4, int8: 1, uint8: 1, bool: 1 };

export interface ValueShape {
  name: string;
  dtype: ElemType;
  dims: number[];
  bytes: number;
  /** Who made it: a graph input, an initializer (weights and constants) or a node output. */
  kind: 'input' | 'initializer' | 'intermediate' | 'output';
  /** Op type of the producing node (intermediates and outputs). */
  op?: string;
}

interface Attr {
  i?: number;
  f?: number;
  ints?: number[];
  s?: string;
}

interface NodeInfo {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
}

interface Value {
  dtype: ElemType;
  dims: number[];
  /** Known contents of small integer tensors (shape arithmetic). */
  values?: number[];
}

/** Reads one varint at `p` as a signed 64-bit integer (protobuf int64 writes negatives in ten bytes). */
function varintAt(buf: Uint8Array, p: number): [number, number] {
  let v = 0n;
  let shift = 0n;
  let b: number;
  do {
    if (p >= buf.length) throw new Error('truncated protobuf varint');
    b = buf[p++];
    v |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  } while (b & 0x80);
  return [Number(BigInt.asIntN(64, v)), p];
}

interface SignedField {
  no: number;
  /** Varint fields, signed. */
  int?: number;
  bytes?: Uint8Array;
}

/**
 * Top-level fields of a message with varints read as signed int64. onnx-reader's protoFields
 * reads varints as doubles, which turns -1 (2^64 - 1) into 0: attributes such as axis -1 need this.
 */
function signedFields(buf: Uint8Array): SignedField[] {
  const out: SignedField[] = [];
  let p = 0;
  while (p < buf.length) {
    let key: number;
    [key, p] = varintAt(buf, p);
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      let v: number;
      [v, p] = varintAt(buf, p);
      out.push({ no, int: v });
    } else if (wire === 2) {
      let n: number;
      [n, p] = varintAt(buf, p);
      out.push({ no, bytes: buf.subarray(p, p + n) });
      p += n;
    } else if (wire === 5) {
      out.push({ no, bytes: buf.subarray(p, p + 4) });
      p += 4;
    } else if (wire === 1) {
      out.push({ no, bytes: buf.subarray(p, p + 8) });
      p += 8;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
  return out;
}

/** Repeated int64 field `no`, packed or not. */
function int64Values(fields: SignedField[], no: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.no !== no) continue;
    if (f.int !== undefined) {
      out.push(f.int);
      continue;
    }
    for (let p = 0; p < f.bytes!.length; ) {
      let v: number;
      [v, p] = varintAt(f.bytes!, p);
      out.push(v);
    }
  }
  return out;
}

/** AttributeProto: name 1, f 2, i 3, s 4, ints 8. */
function readAttr(buf: Uint8Array): [string, Attr] {
  const f = signedFields(buf);
  const text = (no: number) => protoText(f.find((x) => x.no === no)?.bytes);
  const a: Attr = {};
  const fl = f.find((x) => x.no === 2)?.bytes;
  if (fl) a.f = new DataView(fl.buffer, fl.byteOffset, 4).getFloat32(0, true);
  const i = f.find((x) => x.no === 3)?.int;
  if (i !== undefined) a.i = i;
  if (f.some((x) => x.no === 4)) a.s = text(4);
  const ints = int64Values(f, 8);
  if (ints.length) a.ints = ints;
  return [text(1), a];
}

function readNode(buf: Uint8Array): NodeInfo {
  const f = protoFields(buf);
  const attrs: Record<string, Attr> = {};
  for (const m of protoMessages(f, 5)) {
    const [k, v] = readAttr(m);
    attrs[k] = v;
  }
  return {
    inputs: protoMessages(f, 1).map(protoText),
    outputs: protoMessages(f, 2).map(protoText),
    name: protoText(protoMessages(f, 3)[0]),
    op: protoText(protoMessages(f, 4)[0]),
    attrs,
  };
}

/** TensorProto: dims 1, data_type 2, int32_data 5, int64_data 7, name 8, raw_data 9. */
function readInitializer(buf: Uint8Array): [string, Value] {
  const f = signedFields(buf);
  const dims = int64Values(f, 1);
  const elem = f.find((x) => x.no === 2)?.int;
  const dtype = (elem !== undefined && ONNX_ELEM[elem]) || 'unknown';
  const name = protoText(f.find((x) => x.no === 8)?.bytes);
  const count = dims.reduce((a, b) => a * b, 1);
  let values: number[] | undefined;
  if ((dtype === 'int64' || dtype === 'int32') && count <= 64) {
    const raw = f.find((x) => x.no === 9)?.bytes;
    if (raw) {
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      values = Array.from({ length: count }, (_, i) => (dtype === 'int64' ? Number(dv.getBigInt64(i * 8, true)) : dv.getInt32(i * 4, true)));
    } else {
      values = int64Values(f, dtype === 'int64' ? 7 : 5);
    }
  }
  return [name, { dtype, dims, values }];
}

const prod = (d: number[]) => d.reduce((a, b) => a * b, 1);
const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

function broadcast(shapes: number[][], where: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const x = s[s.length - rank + i] ?? 1;
      if (x === 1) continue;
      if (d !== 1 && d !== x) throw new Error(`${where}: shapes ${shapes.map((s) => `[${s}]`).join(' and ')} do not broadcast`);
      d = x;
    }
    out.push(d);
  }
  return out;
}

const ELEMENTWISE_UNARY = new Set(['Sigmoid', 'Tanh', 'Erf', 'Sqrt', 'Floor', 'Relu', 'Neg', 'Exp', 'Log', 'Abs', 'Reciprocal', 'Softmax', 'Identity', 'Sin', 'Cos', 'Round', 'Ceil']);
const ELEMENTWISE_BINARY: Record<string, ((a: number, b: number) => number) | null> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => Math.trunc(a / b),
  Max: (a, b) => Math.max(a, b),
  Min: (a, b) => Math.min(a, b),
  Pow: null,
  Equal: null,
  Where: null,
};

function binaryValues(a: Value, b: Value, dims: number[], f: (x: number, y: number) => number): number[] | undefined {
  if (!a.values || !b.values || prod(dims) > 64) return undefined;
  const at = (v: Value, i: number) => {
    // index into a broadcast operand (rank ≤ 1 or equal shapes: all the shape arithmetic needs)
    if (v.values!.length === 1) return v.values![0];
    return v.values![i];
  };
  return Array.from({ length: prod(dims) }, (_, i) => f(at(a, i), at(b, i)));
}

const ONNX_TO: Record<number, ElemType> = ONNX_ELEM;

/** Output values of one node. */
function inferNode(n: NodeInfo, get: (name: string) => Value): Value[] {
  const where = `${n.op} node ${n.name}`;
  const x = () => get(n.inputs[0]);
  const attrInt = (k: string, d?: number) => n.attrs[k]?.i ?? d;
  switch (n.op) {
    case 'Cast':
      return [{ ...x(), dtype: ONNX_TO[attrInt('to')!] ?? 'unknown' }];
    case 'LayerNormalization':
      return [{ dtype: x().dtype, dims: x().dims }];
    case 'Shape': {
      const d = x().dims;
      const start = norm(attrInt('start', 0)!, d.length);
      const end = n.attrs.end ? norm(attrInt('end')!, d.length) : d.length;
      const v = d.slice(start, end);
      return [{ dtype: 'int64', dims: [v.length], values: v }];
    }
    case 'MatMul': {
      const a = x().dims;
      const b = get(n.inputs[1]).dims;
      if (a[a.length - 1] !== b[b.length - 2 >= 0 ? b.length - 2 : 0]) throw new Error(`${where}: [${a}] @ [${b}]`);
      const batch = broadcast([a.slice(0, -2), b.slice(0, -2)], where);
      return [{ dtype: x().dtype, dims: [...batch, a[a.length - 2], b[b.length - 1]] }];
    }
    case 'Gather': {
      const data = x();
      const idx = get(n.inputs[1]);
      const axis = norm(attrInt('axis', 0)!, data.dims.length);
      const dims = [...data.dims.slice(0, axis), ...idx.dims, ...data.dims.slice(axis + 1)];
      let values: number[] | undefined;
      if (data.values && idx.values && data.dims.length === 1) values = idx.values.map((i) => data.values![i < 0 ? i + data.dims[0] : i]);
      return [{ dtype: data.dtype, dims, values }];
    }
    case 'Reshape': {
      const data = x();
      const shape = get(n.inputs[1]).values;
      if (!shape) throw new Error(`${where}: target shape is not known before running`);
      const dims = shape.map((s, i) => (s === 0 ? data.dims[i] : s));
      const known = prod(dims.filter((d) => d !== -1));
      const dimsOut = dims.map((d) => (d === -1 ? prod(data.dims) / known : d));
      if (prod(dimsOut) !== prod(data.dims) || !dimsOut.every(Number.isInteger)) throw new Error(`${where}: cannot reshape [${data.dims}] to [${shape}]`);
      return [{ dtype: data.dtype, dims: dimsOut, values: data.values }];
    }
    case 'Transpose': {
      const d = x().dims;
      const perm = n.attrs.perm?.ints ?? d.map((_, i) => d.length - 1 - i);
      return [{ dtype: x().dtype, dims: perm.map((p) => d[p]) }];
    }
    case 'Concat': {
      const ins = n.inputs.map(get);
      const axis = norm(attrInt('axis')!, ins[0].dims.length);
      const dims = [...ins[0].dims];
      dims[axis] = ins.reduce((s, v) => s + v.dims[axis], 0);
      const values = ins.every((v) => v.values) && dims.length === 1 ? ins.flatMap((v) => v.values!) : undefined;
      return [{ dtype: ins[0].dtype, dims, values }];
    }
    case 'Slice': {
      const data = x();
      const starts = get(n.inputs[1]).values;
      const ends = get(n.inputs[2]).values;
      const axes = n.inputs[3] ? get(n.inputs[3]).values : starts?.map((_, i) => i);
      const steps = n.inputs[4] ? get(n.inputs[4]).values : undefined;
      if (!starts || !ends || !axes) throw new Error(`${where}: bounds are not known before running`);
      const dims = [...data.dims];
      axes.forEach((a0, i) => {
        const a = norm(a0, dims.length);
        const len = data.dims[a];
        const clamp = (v: number) => Math.min(len, Math.max(0, v < 0 ? v + len : v));
        const step = steps?.[i] ?? 1;
        if (step !== 1) throw new Error(`${where}: only step 1 is supported`);
        dims[a] = Math.max(0, clamp(ends[i]) - clamp(starts[i]));
      });
      let values: number[] | undefined;
      if (data.values && data.dims.length === 1) {
        const len = data.dims[0];
        const s = Math.min(len, Math.max(0, starts[0] < 0 ? starts[0] + len : starts[0]));
        values = data.values.slice(s, s + dims[0]);
      }
      return [{ dtype: data.dtype, dims, values }];
    }
    case 'Pad': {
      const data = x();
      const pads = get(n.inputs[1]).values;
      if (!pads) throw new Error(`${where}: pads are not known before running`);
      const r = data.dims.length;
      return [{ dtype: data.dtype, dims: data.dims.map((d, i) => d + pads[i] + pads[i + r]) }];
    }
    case 'Split': {
      const data = x();
      const axis = norm(attrInt('axis', 0)!, data.dims.length);
      const split = n.inputs[1] ? get(n.inputs[1]).values : n.attrs.split?.ints;
      const parts = split ?? new Array(n.outputs.length).fill(data.dims[axis] / n.outputs.length);
      return parts.map((p) => {
        const dims = [...data.dims];
        dims[axis] = p;
        return { dtype: data.dtype, dims };
      });
    }
    case 'Unsqueeze': {
      const data = x();
      const axes = get(n.inputs[1]).values!;
      const r = data.dims.length + axes.length;
      const set = new Set(axes.map((a) => norm(a, r)));
      const dims: number[] = [];
      let j = 0;
      for (let i = 0; i < r; i++) dims.push(set.has(i) ? 1 : data.dims[j++]);
      return [{ dtype: data.dtype, dims, values: data.values }];
    }
    case 'Squeeze': {
      const data = x();
      const axes = n.inputs[1] ? get(n.inputs[1]).values!.map((a) => norm(a, data.dims.length)) : data.dims.flatMap((d, i) => (d === 1 ? [i] : []));
      return [{ dtype: data.dtype, dims: data.dims.filter((_, i) => !axes.includes(i)), values: data.values }];
    }
    case 'ReduceMean':
    case 'ReduceSum':
    case 'ReduceL2':
    case 'ReduceMax': {
      const data = x();
      const axesIn = n.inputs[1] ? get(n.inputs[1]).values : n.attrs.axes?.ints;
      const axes = (axesIn ?? data.dims.map((_, i) => i)).map((a) => norm(a, data.dims.length));
      const keep = attrInt('keepdims', 1) === 1;
      const dims = keep ? data.dims.map((d, i) => (axes.includes(i) ? 1 : d)) : data.dims.filter((_, i) => !axes.includes(i));
      return [{ dtype: data.dtype, dims }];
    }
    case 'Expand': {
      const shape = get(n.inputs[1]).values;
      if (!shape) throw new Error(`${where}: target shape is not known before running`);
      return [{ dtype: x().dtype, dims: broadcast([x().dims, shape], where) }];
    }
    case 'Conv': {
      const data = x().dims;
      const w = get(n.inputs[1]).dims;
      const spatial = data.length - 2;
      const k = n.attrs.kernel_shape?.ints ?? w.slice(2);
      const strides = n.attrs.strides?.ints ?? new Array(spatial).fill(1);
      const dil = n.attrs.dilations?.ints ?? new Array(spatial).fill(1);
      const pads = n.attrs.pads?.ints ?? new Array(2 * spatial).fill(0);
      const out = Array.from({ length: spatial }, (_, i) => Math.floor((data[2 + i] + pads[i] + pads[i + spatial] - dil[i] * (k[i] - 1) - 1) / strides[i]) + 1);
      return [{ dtype: x().dtype, dims: [data[0], w[0], ...out] }];
    }
    case 'MultiHeadAttention':
      return [{ dtype: x().dtype, dims: [...x().dims.slice(0, 2), get(n.inputs[2]).dims.at(-1)!] }];
    default:
      break;
  }
  if (ELEMENTWISE_UNARY.has(n.op)) return [{ dtype: x().dtype, dims: x().dims }];
  if (n.op in ELEMENTWISE_BINARY) {
    const ins = n.inputs.filter((s) => s !== '').map(get);
    const dims = broadcast(ins.map((v) => v.dims), where);
    const f = ELEMENTWISE_BINARY[n.op];
    const dtype = n.op === 'Equal' ? 'bool' : n.op === 'Where' ? ins[1].dtype : ins[0].dtype;
    return [{ dtype, dims, values: f && ins.length === 2 ? binaryValues(ins[0], ins[1], dims, f) : undefined }];
  }
  throw new Error(`tensor shapes: op ${n.op} (${n.name}) is not covered; add its shape rule`);
}

export interface GraphShapes {
  values: ValueShape[];
  /** The largest value of any kind. */
  largest: ValueShape;
}

/**
 * Every value's shape for the given input shapes (`inputs[name]`: concrete dims). Inputs the
 * caller leaves out must have fixed shapes in the graph.
 */
export function graphShapes(model: Uint8Array, inputs: Record<string, number[]>): GraphShapes {
  const g = onnxGraphFields(model);
  const env = new Map<string, Value>();
  const out: ValueShape[] = [];
  const record = (name: string, v: Value, kind: ValueShape['kind'], op?: string) => {
    const bytes = prod(v.dims) * (ELEM_BYTES[v.dtype] ?? 4);
    out.push({ name, dtype: v.dtype, dims: v.dims, bytes, kind, op });
  };
  for (const t of protoMessages(g, 5)) {
    const [name, v] = readInitializer(t);
    env.set(name, v);
    record(name, v, 'initializer');
  }
  for (const vi of protoMessages(g, 11).map(readValueInfo)) {
    if (env.has(vi.name)) continue;
    const dims = inputs[vi.name] ?? vi.shape.map((d) => {
      if (typeof d !== 'number') throw new Error(`tensor shapes: graph input ${vi.name} has dynamic shape [${vi.shape}]; give its dims`);
      return d;
    });
    if (dims.length !== vi.shape.length) throw new Error(`tensor shapes: input ${vi.name} has rank ${vi.shape.length}, got dims [${dims}]`);
    vi.shape.forEach((d, i) => {
      if (typeof d === 'number' && d !== dims[i]) throw new Error(`tensor shapes: input ${vi.name} dim ${i} is fixed at ${d}, got ${dims[i]}`);
    });
    const v = { dtype: vi.dtype, dims };
    env.set(vi.name, v);
    record(vi.name, v, 'input');
  }
  const outputNames = new Set(protoMessages(g, 12).map((o) => readValueInfo(o).name));
  const get = (name: string) => {
    const v = env.get(name);
    if (!v) throw new Error(`tensor shapes: value ${name} is used before it is produced`);
    return v;
  };
  for (const nb of protoMessages(g, 1)) {
    const n = readNode(nb);
    const results = inferNode(n, get);
    if (process.env.SHAPES_DEBUG) console.log(n.op, n.inputs.map((i) => `${i}[${env.get(i)?.dims}]${env.get(i)?.values ? `=${env.get(i)?.values}` : ""}`).join(" "), "->", results.map((r) => `[${r.dims}]`).join(" "));
    n.outputs.forEach((o, i) => {
      if (!o) return;
      env.set(o, results[i]);
      record(o, results[i], outputNames.has(o) ? 'output' : 'intermediate', n.op);
    });
  }
  const largest = out.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { values: out, largest };
}
