// Which execution provider ORT assigned each node to, from ORT's verbose session log, and which
// of the CPU-assigned nodes are allowed.
//
// With session options logSeverityLevel 0 (verbose), onnxruntime-web 1.30 prints, while a
// session is created (session_state.cc VerifyEachNodeIsAssignedToAnEp):
//   ... VerifyEachNodeIsAssignedToAnEp] Node placements
//   ... VerifyEachNodeIsAssignedToAnEp]  All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 123
// or, when several EPs got nodes, per EP
//   ... VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 22
//   ... VerifyEachNodeIsAssignedToAnEp]   Add (blocks.0/blocks.0.self_attn/attn/Add)
// (op type, then the node name in parentheses). Subgraph sessions print their own section.
//
// ORT's WebGPU EP deliberately leaves shape computations on the CPU (fallback_cpu_capability:
// small int64 ops fed by Shape). Allowed on the CPU: Shape/Size, and nodes of SHAPE_OPS whose
// inputs and outputs are all integer/bool values (types from the graph, onnx-value-types.ts). Anything else there
// (float compute, Loop/Scan, a node the graph does not name) is a violation.

import type { ElemType, GraphValueTypes } from './onnx-value-types.ts';

export interface PlacedNode {
  ep: string;
  opType: string;
  name: string;
}

export interface NodePlacement {
  /** Node count per EP, summed over all placement sections (main graph and subgraphs). */
  counts: Record<string, number>;
  /** Listed nodes (ORT lists them only when more than one EP got nodes). */
  nodes: PlacedNode[];
  sections: number;
}

const MARK = 'VerifyEachNodeIsAssignedToAnEp]';
const ALL = /^\s*All nodes placed on \[(\w+)\]\. Number of nodes: (\d+)\s*$/;
const SOME = /^\s*Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)\s*$/;
const NODE = /^\s+(\S+) \((.*)\)\s*$/;

/** Parses every "Node placements" section in `lines`; throws when there is none or a list is incomplete. */
export function parseNodePlacements(lines: readonly string[]): NodePlacement {
  const out: NodePlacement = { counts: {}, nodes: [], sections: 0 };
  let current: { ep: string; expected: number; listed: number } | null = null;
  const close = () => {
    if (current && current.listed !== current.expected) {
      throw new Error(`ORT placement log: [${current.ep}] announced ${current.expected} nodes but listed ${current.listed}`);
    }
    current = null;
  };
  for (const line of lines) {
    const at = line.indexOf(MARK);
    if (at < 0) continue;
    const rest = line.slice(at + MARK.length);
    if (rest.trim() === 'Node placements') {
      close();
      out.sections++;
      continue;
    }
    if (out.sections === 0) continue;
    const all = ALL.exec(rest);
    const some = SOME.exec(rest);
    const node = NODE.exec(rest);
    if (all) {
      close();
      out.counts[all[1]] = (out.counts[all[1]] ?? 0) + Number(all[2]);
    } else if (some) {
      close();
      out.counts[some[1]] = (out.counts[some[1]] ?? 0) + Number(some[2]);
      current = { ep: some[1], expected: Number(some[2]), listed: 0 };
    } else if (node && current) {
      out.nodes.push({ ep: current.ep, opType: node[1], name: node[2] });
      current.listed++;
    }
  }
  close();
  if (out.sections === 0) throw new Error('ORT placement log: no "Node placements" section (was the session created with logSeverityLevel 0?)');
  return out;
}

/** Ops ORT may keep on the CPU for shape arithmetic. */
export const SHAPE_OPS: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'Gather', 'Concat', 'Slice', 'Unsqueeze', 'Squeeze', 'Reshape', 'Cast', 'Div', 'Mul', 'Add', 'Sub',
  'Min', 'Max', 'Range', 'ReduceProd', 'Equal', 'Where', 'ConstantOfShape', 'Identity', 'Neg', 'Abs',
]);

const SHAPE_TYPES: ReadonlySet<ElemType> = new Set(['int64', 'int32', 'bool']);

export const CPU_EP = 'CPUExecutionProvider';

export interface CpuPlacementReport {
  /** CPU nodes that are shape arithmetic on integer values. */
  shapeNodes: PlacedNode[];
  /** CPU nodes that are not, each with the reason. */
  violations: { node: PlacedNode; reason: string }[];
}

export function checkCpuNodes(p: NodePlacement, graph: GraphValueTypes): CpuPlacementReport {
  const report: CpuPlacementReport = { shapeNodes: [], violations: [] };
  const cpuListed = p.nodes.filter((n) => n.ep === CPU_EP);
  const cpuCount = p.counts[CPU_EP] ?? 0;
  if (cpuCount > 0 && cpuListed.length !== cpuCount) {
    // "All nodes placed on [CPUExecutionProvider]": nothing went to the GPU at all.
    report.violations.push({ node: { ep: CPU_EP, opType: '*', name: '*' }, reason: `all ${cpuCount} nodes are on the CPU EP` });
    return report;
  }
  for (const n of cpuListed) {
    const def = graph.nodes.get(n.name);
    if (!def) {
      report.violations.push({ node: n, reason: 'not a node of the graph (made by an ORT optimizer?): cannot tell its types' });
      continue;
    }
    if (!SHAPE_OPS.has(n.opType)) {
      report.violations.push({ node: n, reason: `${n.opType} is not a shape op` });
      continue;
    }
    // Shape/Size read only the metadata of their (any-typed) input.
    const reads = n.opType === 'Shape' || n.opType === 'Size' ? [] : def.inputs;
    const values = [...reads, ...def.outputs].filter((v) => v !== '');
    const bad = values.filter((v) => !SHAPE_TYPES.has(graph.types.get(v) ?? 'unknown'));
    if (bad.length) {
      report.violations.push({ node: n, reason: `${n.opType} on non-integer values: ${bad.map((v) => `${v} (${graph.types.get(v) ?? 'unknown'})`).join(', ')}` });
    } else {
      report.shapeNodes.push(n);
    }
  }
  return report;
}
