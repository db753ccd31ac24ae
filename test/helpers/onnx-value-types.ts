// Reads an ONNX model's nodes and infers the element type of every value (graph inputs,
// initializers, node outputs) with a few forward rules. Enough to tell int64 shape arithmetic
// from float compute when checking which nodes ORT put on the CPU EP (node-placement.ts).
// Only the .onnx protobuf is read; external data is never needed (initializers keep data_type).

import { ONNX_ELEM, onnxGraphFields, protoFields, protoMessages as sub, protoNumber as num, protoText as text, readValueInfo, type ElemType, type ProtoField as Field } from '../../src/convert/onnx/onnx-reader.ts';

export type { ElemType };

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

const fields = protoFields;

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
  const g = onnxGraphFields(model);
  const types = new Map<string, ElemType>();
  for (const t of sub(g, 5)) {
    const f = fields(t);
    const dt = num(f, 2);
    types.set(text(sub(f, 8)[0]), (dt !== undefined && ONNX_ELEM[dt]) || 'unknown');
  }
  for (const vi of sub(g, 11)) {
    const { name, dtype } = readValueInfo(vi);
    types.set(name, dtype);
  }
  const nodes = new Map<string, GraphNode>();
  // Nodes are in topological order (ONNX requires it), so one forward pass types every value.
  for (const n of sub(g, 1)) {
    const f = fields(n);
    const node: GraphNode = {
      inputs: sub(f, 1).map((v) => text(v)),
      outputs: sub(f, 2).map((v) => text(v)),
      name: text(sub(f, 3)[0]),
      opType: text(sub(f, 4)[0]),
      domain: text(sub(f, 7)[0]),
    };
    const attrs = new Map<string, Field[]>();
    for (const a of sub(f, 5)) {
      const af = fields(a);
      attrs.set(text(sub(af, 1)[0]), af);
    }
    const t = outputType(node, attrs, types);
    for (const o of node.outputs) if (o) types.set(o, t);
    if (node.name) nodes.set(node.name, node);
  }
  return { nodes, types };
}
