// The memory plan (per-stage peaks that choose the release policy) and the parser of ORT's node
// placement log.
import { describe, expect, it } from 'vitest';
import { memoryPlan } from '../../src/engine/pipeline/memory-plan.ts';
import { cpuNodeCount, parsePlacement } from '../../src/engine/ort/placement.ts';
import { chooseMemoryPolicy, stage2MemoryProblem } from '../../src/engine/pipeline/memory-policy.ts';
import { realConfigPlan } from '../../bench/engine.ts';
import { REAL_CONFIGS } from '../../src/convert/fixtures/real-configs.ts';
import { parameterCount, stateDictLayout } from '../../src/convert/state-dict-layout.ts';

const GIB = 1024 ** 3;

describe('memory plan', () => {
  it('real TRELLIS-image-large: every stage fits an 8 GB GPU with per-stage release; weights match the fp16 parameter counts', () => {
    const plan = realConfigPlan(40_000);
    const byStage = Object.fromEntries(plan.stages.map((s) => [s.stage, s]));
    const params = (k: keyof typeof REAL_CONFIGS) => parameterCount(stateDictLayout(REAL_CONFIGS[k].name, REAL_CONFIGS[k].args as Record<string, any>));
    expect(byStage.sparse_structure.weightBytes).toBe(params('ss_flow') * 2);
    expect(byStage.structured_latent.weightBytes).toBe(params('slat_flow') * 2);
    // The released fp16 checkpoints are ~1.13 GB (ss_flow) and ~1.2 GB (slat_flow) (pipeline.md §10).
    expect(byStage.sparse_structure.weightBytes / 1130770840).toBeGreaterThan(0.95);
    expect(byStage.sparse_structure.weightBytes / 1130770840).toBeLessThan(1.01);
    for (const s of plan.stages) expect(s.peakBytes).toBe(s.weightBytes + s.activationBytes);
    expect(plan.perStagePeak).toBe(Math.max(...plan.stages.map((s) => s.peakBytes)));
    expect(plan.perStagePeak).toBeLessThan(8 * GIB * 0.5);
    expect(plan.keepAllPeak).toBeGreaterThan(plan.perStagePeak);
    // More voxels, more stage-2 and decoder memory; stage 1 does not depend on N.
    const big = realConfigPlan(80_000);
    const s = (p: typeof plan, k: string) => p.stages.find((x) => x.stage === k)!.activationBytes;
    expect(s(big, 'structured_latent')).toBeGreaterThan(s(plan, 'structured_latent'));
    expect(s(big, 'sparse_structure')).toBe(s(plan, 'sparse_structure'));
  });

  it('unknown configs contribute weights only, never NaN', () => {
    const plan = memoryPlan({ components: { ss_flow: { config: {}, files: [{ size: 100 }] } } } as never);
    expect(plan.stages).toEqual([{ stage: 'sparse_structure', components: ['ss_flow'], weightBytes: 100, activationBytes: 0, peakBytes: 100, largestTensorBytes: 0 }]);
  });
});

describe('ORT node placement log', () => {
  const prefix = (s: string) => `2026-11-25 19:43:42.652474 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp] ${s}`;
  it('all nodes on one EP', () => {
    const p = parsePlacement(['other line', prefix('Node placements'), prefix(' All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 812'), '... CreateGraphInfo']);
    expect(p).toEqual({ counts: { WebGpuExecutionProvider: 812 }, nodes: {} });
    expect(cpuNodeCount(p!)).toBe(0);
  });
  it('nodes split between EPs, with the CPU nodes listed', () => {
    const p = parsePlacement([
      prefix('Node placements'),
      prefix(' Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 10'),
      prefix('  MatMul (m1)'),
      prefix(' Node(s) placed on [CPUExecutionProvider]. Number of nodes: 2'),
      prefix('  Shape (shape_of_x)'),
      prefix('  Range (r)'),
      'next',
    ])!;
    expect(p.counts).toEqual({ WebGpuExecutionProvider: 10, CPUExecutionProvider: 2 });
    expect(p.nodes.CPUExecutionProvider).toEqual(['Shape (shape_of_x)', 'Range (r)']);
    expect(cpuNodeCount(p)).toBe(2);
  });
  it("ORT's coloured warning after the list is not taken for a node", () => {
    const p = parsePlacement([
      prefix('Node placements'),
      prefix(' Node(s) placed on [CPUExecutionProvider]. Number of nodes: 1'),
      prefix('  Concat (embed/Concat)'),
      `\u001b[0;93m${prefix('Some nodes were not assigned to the preferred execution providers which may or may not have an negative impact on performance. e.g. ORT explicitly assigns shape related ops to CPU to improve perf.')}\u001b[m`,
    ])!;
    expect(p.nodes.CPUExecutionProvider).toEqual(['Concat (embed/Concat)']);
  });
  it('no placement section: null', () => {
    expect(parsePlacement(['x', 'y'])).toBeNull();
  });
});

describe('ORT node placement log, multi-line messages', () => {
  it('a whole EP block in one console message', () => {
    const p = parsePlacement([
      '2026-11-25 19:43:42.652474 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements',
      '2026-11-25 19:43:42.652474 [I:onnxruntime:, session_state.cc:1390 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 2\n  Shape (s1)\n  Range (r1)\n',
      '2026-11-25 19:43:42.652474 [I:onnxruntime:, session_state.cc:1390 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 5\n  MatMul (m)\n',
      '2026-11-25 19:43:42.771447 [V:onnxruntime:, session_state.cc:186 CreateGraphInfo] SaveMLValueNameIndexMapping',
    ])!;
    expect(p.counts).toEqual({ CPUExecutionProvider: 2, WebGpuExecutionProvider: 5 });
    expect(p.nodes.CPUExecutionProvider).toEqual(['Shape (s1)', 'Range (r1)']);
    expect(p.nodes.WebGpuExecutionProvider).toEqual(['MatMul (m)']);
  });
});

describe('memory policy', () => {
  const real = { components: Object.fromEntries(Object.entries(REAL_CONFIGS).map(([name, c]) => [name, { config: c.args, files: [{ size: parameterCount(stateDictLayout(c.name, c.args as Record<string, any>)) * 2 }] }])) } as never;
  it('real model on WebGPU (3 GiB): per-stage release, stage-1 CFG pair batched (its stage fits with batch 2)', () => {
    const p = chooseMemoryPolicy(real, 'webgpu');
    expect(p.policy).toBe('per-stage');
    expect(p.batchCfgPair).toBe(true);
    const stage1 = p.plan.stages.find((s) => s.stage === 'sparse_structure')!;
    expect(stage1.peakBytes).toBeLessThanOrEqual(p.budgetBytes);
    // The chosen plan is the batch-2 one: stage 1 needs more than the unbatched plan says.
    expect(stage1.activationBytes).toBeGreaterThan(memoryPlan(real).stages.find((s) => s.stage === 'sparse_structure')!.activationBytes);
  });
  it('a budget below stage 1 with batch 2 but above it unbatched runs the pair as two calls', () => {
    const one = memoryPlan(real).stages.find((s) => s.stage === 'sparse_structure')!.peakBytes;
    const two = memoryPlan(real, undefined, 2).stages.find((s) => s.stage === 'sparse_structure')!.peakBytes;
    expect(two).toBeGreaterThan(one);
    const p = chooseMemoryPolicy(real, 'webgpu', { budgetBytes: (one + two) / 2 });
    expect(p.batchCfgPair).toBe(false);
    expect(p.plan.stages.find((s) => s.stage === 'sparse_structure')!.peakBytes).toBe(one);
  });
  it('WASM never batches by default; explicit options win', () => {
    expect(chooseMemoryPolicy(real, 'wasm').batchCfgPair).toBe(false);
    expect(chooseMemoryPolicy(real, 'wasm', { batchCfgPair: true }).batchCfgPair).toBe(true);
    expect(chooseMemoryPolicy(real, 'webgpu', { releasePolicy: 'keep', budgetBytes: 64 * GIB })).toMatchObject({ policy: 'keep', batchCfgPair: true });
    expect(chooseMemoryPolicy(real, 'webgpu', { batchCfgPair: false }).batchCfgPair).toBe(false);
  });
});

describe('stage-2 memory check (before the run, from the voxel count)', () => {
  const fp16 = { components: Object.fromEntries(Object.entries(REAL_CONFIGS).map(([name, c]) => [name, { config: c.args, dtype: 'fp16', files: [{ size: parameterCount(stateDictLayout(c.name, c.args as Record<string, any>)) * 2 }] }])) } as never;
  it('WASM: the released model fits the 4 GiB heap at typical voxel counts, not at absurd ones', () => {
    for (const v of [4_000, 16_000, 30_000]) expect(stage2MemoryProblem(fp16, 'wasm', v, 'per-stage')).toBeNull();
    const msg = stage2MemoryProblem(fp16, 'wasm', 400_000, 'per-stage');
    expect(msg).toMatch(/at 400000 voxels needs about \d+\.\d\d GiB \(weights .* \+ activations .*\), and the WASM backend's heap holds at most 4\.00 GiB/);
    // Keeping every session resident needs more than one stage at a time.
    expect(stage2MemoryProblem(fp16, 'wasm', 16_000, 'keep')).toMatch(/heap holds at most/);
  });
  it('WebGPU: refuses when one tensor exceeds the device binding limit, names the limit', () => {
    expect(stage2MemoryProblem(fp16, 'webgpu', 30_000, 'per-stage', { maxBindingBytes: 1024 ** 3, maxBufferBytes: 1024 ** 3 })).toBeNull();
    const msg = stage2MemoryProblem(fp16, 'webgpu', 30_000, 'per-stage', { maxBindingBytes: 128 * 1024 ** 2 });
    expect(msg).toMatch(/at 30000 voxels needs a \d+ MiB tensor, and this GPU binds at most 128 MiB per buffer \(maxStorageBufferBindingSize\)/);
  });
  it('WebGPU weights count twice an fp16 file (folded to fp32 on the device); WASM keeps them as stored', () => {
    const wasm = memoryPlan(fp16, 16_000, 1, 'wasm').stages.find((s) => s.stage === 'structured_latent')!;
    const gpu = memoryPlan(fp16, 16_000, 1, 'webgpu').stages.find((s) => s.stage === 'structured_latent')!;
    expect(gpu.weightBytes).toBe(2 * wasm.weightBytes);
  });
});
