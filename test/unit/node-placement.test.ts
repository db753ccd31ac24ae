import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { checkCpuNodes, parseNodePlacements } from '../helpers/node-placement.ts';
import { readGraphValueTypes } from '../helpers/onnx-value-types.ts';

// Captured from onnxruntime-web 1.30 (webgpu EP, headless Chromium) creating the tiny SLat flow
// session before the Round fix; shortened to a few nodes per EP (counts edited to match).
const LOG = `2026-11-25 20:52:10.620400 [I:onnxruntime:, session_state.cc:1290 Initialize] Saving initialized tensors.
2026-11-25 20:52:10.620499 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements
2026-11-25 20:52:10.620699 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3
2026-11-25 20:52:10.641799 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Round (t_embedder/sincos/Round)
2026-11-25 20:52:10.642099 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Add (blocks.0/blocks.0.self_attn/attn/Add)
2026-11-25 20:52:10.642200 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Concat (blocks.0/blocks.0.self_attn/attn/Concat)
2026-11-25 20:52:10.643000 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 2
2026-11-25 20:52:10.643000 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Unsqueeze (t_embedder/Unsqueeze)
2026-11-25 20:52:10.643200 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Mul (t_embedder/Mul)
2026-11-25 20:52:10.650000 [V:onnxruntime:, session_state.cc:1400 CreateKernels] done`.split('\n');

describe('ORT placement log', () => {
  it('lists each node with its EP', () => {
    const p = parseNodePlacements(LOG);
    expect(p.sections).toBe(1);
    expect(p.counts).toEqual({ CPUExecutionProvider: 3, WebGpuExecutionProvider: 2 });
    expect(p.nodes).toEqual([
      { ep: 'CPUExecutionProvider', opType: 'Round', name: 't_embedder/sincos/Round' },
      { ep: 'CPUExecutionProvider', opType: 'Add', name: 'blocks.0/blocks.0.self_attn/attn/Add' },
      { ep: 'CPUExecutionProvider', opType: 'Concat', name: 'blocks.0/blocks.0.self_attn/attn/Concat' },
      { ep: 'WebGpuExecutionProvider', opType: 'Unsqueeze', name: 't_embedder/Unsqueeze' },
      { ep: 'WebGpuExecutionProvider', opType: 'Mul', name: 't_embedder/Mul' },
    ]);
  });

  it('reads "All nodes placed on" without a node list', () => {
    const p = parseNodePlacements([
      'x [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements',
      'x [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp]  All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 41',
    ]);
    expect(p.counts).toEqual({ WebGpuExecutionProvider: 41 });
    expect(p.nodes).toEqual([]);
  });

  it('refuses a log without a placement section or with a truncated node list', () => {
    expect(() => parseNodePlacements(LOG.filter((l) => !l.includes('Node placements')))).toThrow(/no "Node placements" section/);
    expect(() => parseNodePlacements(LOG.filter((l) => !l.includes('(t_embedder/Mul)')))).toThrow(/\[WebGpuExecutionProvider\] announced 2 nodes but listed 1/);
  });
});

describe('CPU placement check', () => {
  // x [N,4] float → shape arithmetic on int64 → Reshape(x) → float Mul/Round.
  const g = new GraphBuilder('t');
  const x = g.input('x', 'float32', ['N', 4]);
  const n = g.op('Shape', [x], { start: 0, end: 1 }, { name: 'shape' });
  const half = g.op('Div', [n, g.i64([2])], {}, { name: 'half' });
  const target = g.op('Concat', [half, g.i64([8])], { axis: 0 }, { name: 'target' });
  const y = g.op('Reshape', [x, target], {}, { name: 'reshape' });
  const z = g.op('Round', [g.op('Mul', [y, g.scalar(3)], {}, { name: 'scale' })], {}, { name: 'round' });
  const c = g.op('Cast', [g.op('Cast', [n], { to: 1 }, { name: 'to_float' })], { to: 7 }, { name: 'to_int' });
  g.output(z, 'z', 'float32', ['M', 8]);
  g.output(c, 'c', 'int64', [1]);
  const types = readGraphValueTypes(g.toBytes());

  it('infers value types from the model bytes', () => {
    expect(types.types.get(x)).toBe('float32');
    expect(types.types.get(n)).toBe('int64');
    expect(types.types.get(target)).toBe('int64');
    expect(types.types.get(y)).toBe('float32');
    expect(types.nodes.get('to_float')?.outputs.map((o) => types.types.get(o))).toEqual(['float32']);
    expect(types.types.get(c)).toBe('int64');
  });

  it('allows int64 shape ops on the CPU and flags float compute, non-shape ops and unknown nodes', () => {
    const cpu = (opType: string, name: string) => ({ ep: 'CPUExecutionProvider', opType, name });
    const nodes = [cpu('Shape', 'shape'), cpu('Div', 'half'), cpu('Concat', 'target'), cpu('Mul', 'scale'), cpu('Round', 'round'), cpu('Reshape', 'reshape'), cpu('Cast', 'to_float'), cpu('Add', 'fused_by_ort')];
    const r = checkCpuNodes({ counts: { CPUExecutionProvider: nodes.length, WebGpuExecutionProvider: 2 }, nodes, sections: 1 }, types);
    expect(r.shapeNodes.map((v) => v.name)).toEqual(['shape', 'half', 'target']);
    expect(r.violations.map((v) => v.node.name)).toEqual(['scale', 'round', 'reshape', 'to_float', 'fused_by_ort']);
    expect(r.violations[1].reason).toMatch(/Round is not a shape op/);
    expect(r.violations[2].reason).toMatch(/x \(float32\)/);
    expect(r.violations[4].reason).toMatch(/not a node of the graph/);
  });

  it('flags a session that put everything on the CPU', () => {
    const r = checkCpuNodes({ counts: { CPUExecutionProvider: 7 }, nodes: [], sections: 1 }, types);
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0].reason).toMatch(/all 7 nodes are on the CPU EP/);
  });
});
