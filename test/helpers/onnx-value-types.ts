// Reads an ONNX model's nodes and infers the element type of every value (graph inputs,
// initializers, node outputs) with a few forward rules. Enough to tell int64 shape arithmetic
// from float compute when checking which nodes ORT put on the CPU EP (node-placement.ts).
// Only the .onnx protobuf is read; external data is never needed (initializers keep data_type).

export type ElemType = 'float32' | 'float16' | 'float64' | 'bfloat16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool' | 'unknown';

const ONNX_ELEM: Record<number, ElemType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' };

export interface GraphNode {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
}

export interface GraphValueTypes {
  /** Top-level nodes by name (the names ORT prints in its placement log). */
  nodes: Map<string, GraphNode>;
  types: Map<string, ElemType>;
}

interface Field { no: number; wire: number; value: number | Uint8Array }

/** Fields of one protobuf message (varints as numbers: fine below 2^53). */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
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

const text = (v: number | Uint8Array) => new TextDecoder().decode(v as Uint8Array);
const sub = (fs: Field[], no: number) => fs.filter((f) => f.no === no).map((f) => f.value as Uint8Array);
const num = (fs: Field[], no: number) => fs.find((f) => f.no === no)?.value as number | undefined;

function valueInfoType(vi: Uint8Array): { name: string; type: ElemType } {
  const f = fields(vi);
  const name = text(sub(f, 1)[0] ?? new Uint8Array());
  const typeProto = sub(f, 2)[0];
  const tensor = typeProto ? sub(fields(typeProto), 1)[0] : undefined;
  const elem = tensor ? num(fields(tensor), 1) : undefined;
  return { name, type: (elem !== undefined && ONNX_ELEM[elem]) || 'unknown' };
}

const BOOL_OPS = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);

/** Element type of each output of `node`, from its op and its inputs' types. */
function outputType(node: GraphNode, attrs: Map<string, Field[]>, types: Map<string, ElemType>): ElemType {
  const input = (i: number) => (node.inputs[i] ? types.get(node.inputs[i]) ?? 'unknown' : 'unknown');
  switch (node.opType) {
    case 'Shape':
    case 'Size':
    case 'NonZero':
    case 'ArgMax':
    case 'ArgMin':
      return 'int64';
    case 'Cast': {
      const to = attrs.get('to') ? num(attrs.get('to')!, 3) : undefined;
      return (to !== undefined && ONNX_ELEM[to]) || 'unknown';
    }
    case 'ConstantOfShape': {
      const t = attrs.get('value') ? sub(attrs.get('value')!, 5)[0] : undefined;
      const dt = t ? num(fields(t), 2) : 1;
      return (dt !== undefined && ONNX_ELEM[dt]) || 'unknown';
    }
    case 'Where':
      return input(1);
    default:
      return BOOL_OPS.has(node.opType) ? 'bool' : input(0);
  }
}

export function readGraphValueTypes(model: Uint8Array): GraphValueTypes {
  const graph = sub(fields(model), 7)[0];
  if (!graph) throw new Error('not an ONNX model: no graph (ModelProto field 7)');
  const g = fields(graph);
  const types = new Map<string, ElemType>();
  for (const t of sub(g, 5)) {
    const f = fields(t);
    const dt = num(f, 2);
    types.set(text(sub(f, 8)[0] ?? new Uint8Array()), (dt !== undefined && ONNX_ELEM[dt]) || 'unknown');
  }
  for (const vi of sub(g, 11)) {
    const { name, type } = valueInfoType(vi);
    types.set(name, type);
  }
  const nodes = new Map<string, GraphNode>();
  // Nodes are in topological order (ONNX requires it), so one forward pass types every value.
  for (const n of sub(g, 1)) {
    const f = fields(n);
    const node: GraphNode = {
      inputs: sub(f, 1).map(text),
      outputs: sub(f, 2).map(text),
      name: text(sub(f, 3)[0] ?? new Uint8Array()),
      opType: text(sub(f, 4)[0] ?? new Uint8Array()),
      domain: text(sub(f, 7)[0] ?? new Uint8Array()),
    };
    const attrs = new Map<string, Field[]>();
    for (const a of sub(f, 5)) {
      const af = fields(a);
      attrs.set(text(sub(af, 1)[0] ?? new Uint8Array()), af);
    }
    const t = outputType(node, attrs, types);
    for (const o of node.outputs) if (o) types.set(o, t);
    if (node.name) nodes.set(node.name, node);
  }
  return { nodes, types };
}
