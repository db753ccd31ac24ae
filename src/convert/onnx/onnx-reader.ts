// Reads what the converter needs from an existing ONNX model (one the project did not build, e.g. a
// background-removal model): the graph's inputs and outputs with element types and shapes.
// A minimal protobuf field reader is enough; external data is never needed because value infos
// and initializer headers live in the .onnx file itself.

export type ElemType = 'float32' | 'float16' | 'float64' | 'bfloat16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool' | 'unknown';

/** TensorProto.DataType numbers of the element types the project meets. */
export const ONNX_ELEM: Readonly<Record<number, ElemType>> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' };

export interface ProtoField {
  no: number;
  wire: number;
  value: number | Uint8Array;
}

/** Fields of one protobuf message (varints as numbers: fine below 2^53). */
export function protoFields(buf: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let p = 0;
  const varint = (): number => {
    let v = 0, mul = 1, b: number;
    do {
      if (p >= buf.length) throw new Error('truncated protobuf varint');
      b = buf[p++];
      v += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    return v;
  };
  while (p < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8), wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 1) { out.push({ no, wire, value: buf.subarray(p, p + 8) }); p += 8; }
    else if (wire === 5) { out.push({ no, wire, value: buf.subarray(p, p + 4) }); p += 4; }
    else if (wire === 2) { const n = varint(); out.push({ no, wire, value: buf.subarray(p, p + n) }); p += n; }
    else throw new Error(`unsupported protobuf wire type ${wire} (field ${no})`);
    if (p > buf.length) throw new Error('truncated protobuf message');
  }
  return out;
}

const decoder = new TextDecoder();
export const protoText = (v: number | Uint8Array | undefined): string => (v instanceof Uint8Array ? decoder.decode(v) : '');
/** Every length-delimited value of field `no` (repeated messages, strings). */
export const protoMessages = (fs: ProtoField[], no: number): Uint8Array[] => fs.filter((f) => f.no === no && f.value instanceof Uint8Array).map((f) => f.value as Uint8Array);
/** The first varint value of field `no`. */
export const protoNumber = (fs: ProtoField[], no: number): number | undefined => {
  const f = fs.find((x) => x.no === no && typeof x.value === 'number');
  return f?.value as number | undefined;
};

/** GraphProto of a ModelProto (field 7), as fields. */
export function onnxGraphFields(model: Uint8Array): ProtoField[] {
  let top: ProtoField[];
  try {
    top = protoFields(model);
  } catch (error) {
    throw new Error(`not an ONNX model: ${(error as Error).message}`);
  }
  const graph = protoMessages(top, 7)[0];
  if (!graph) throw new Error('not an ONNX model: no graph (ModelProto field 7)');
  return protoFields(graph);
}

export interface GraphTensorInfo {
  name: string;
  dtype: ElemType;
  /** Fixed sizes as numbers, symbolic dims by name; a dim with neither is '?'. */
  shape: (number | string)[];
}

export interface GraphIO {
  inputs: GraphTensorInfo[];
  outputs: GraphTensorInfo[];
}

// GraphProto fields: node 1, initializer 5, input 11, output 12.

/** ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → elem_type 1, shape 2 → dim 1 →
 *  dim_value 1 | dim_param 2. */
export function readValueInfo(vi: Uint8Array): GraphTensorInfo {
  const f = protoFields(vi);
  const name = protoText(protoMessages(f, 1)[0]);
  const typeProto = protoMessages(f, 2)[0];
  const tensor = typeProto ? protoMessages(protoFields(typeProto), 1)[0] : undefined;
  if (!tensor) return { name, dtype: 'unknown', shape: [] };
  const tf = protoFields(tensor);
  const elem = protoNumber(tf, 1);
  const shapeMsg = protoMessages(tf, 2)[0];
  const shape = shapeMsg
    ? protoMessages(protoFields(shapeMsg), 1).map((d) => {
        const df = protoFields(d);
        const value = protoNumber(df, 1);
        if (value !== undefined) return value;
        const param = protoText(protoMessages(df, 2)[0]);
        return param || '?';
      })
    : [];
  return { name, dtype: (elem !== undefined && ONNX_ELEM[elem]) || 'unknown', shape };
}

/**
 * The graph's real inputs (initializers listed as inputs, as older exporters do, are left out)
 * and outputs.
 */
export function readGraphIO(model: Uint8Array): GraphIO {
  const g = onnxGraphFields(model);
  const initializers = new Set(protoMessages(g, 5).map((t) => protoText(protoMessages(protoFields(t), 8)[0])));
  return {
    inputs: protoMessages(g, 11).map(readValueInfo).filter((t) => !initializers.has(t.name)),
    outputs: protoMessages(g, 12).map(readValueInfo),
  };
}
