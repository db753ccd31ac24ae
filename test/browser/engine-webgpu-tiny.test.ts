// A full generation with the tiny random models (real architectures, converted by the real
// converter) from an RGBA image in headless Chromium, under WebGPU (SwiftShader: ~2 min) and
// under WASM: same stage-1 structure and mesh features for the same seed; ORT's node placement
// under WebGPU is reported and no session has a node on the CPU EP (helpers/node-placement.ts
// says what any CPU node is, with value types read from the converted graph files).
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { rgbaPng, request, useEngineHarness } from './engine-harness/session.ts';
import { makeTinyRandomModels } from '../../src/convert/fixtures/tiny-models.ts';
import { checkCpuNodes, CPU_EP, type NodePlacement } from '../helpers/node-placement.ts';
import { readGraphValueTypes } from '../helpers/onnx-value-types.ts';
import type { ManifestV1 } from '../../src/models/manifest.ts';

const engine = useEngineHarness({ models: (dir) => makeTinyRandomModels(path.join(dir, 'models', 'tiny')), echoConsole: /CPUExecutionProvider|placed on|^\[progress\]/ });
const harness = engine.call;
const wasmPaths = engine.wasmPaths;
const modelDir = () => path.join(engine.siteDir, 'models', 'tiny');

interface SessionPlacement { component: string; graph: string; counts: Record<string, number>; nodes: Record<string, string[]> }

/** CPU-EP nodes of one session that are not integer shape arithmetic, as readable lines. */
async function cpuViolations(p: SessionPlacement): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(modelDir(), 'manifest.json'), 'utf8')) as ManifestV1;
  const comp = manifest.components[p.component as keyof ManifestV1['components']]!;
  const file = comp.graphs?.[p.graph]?.file ?? comp.files.find((f) => f.role === 'graph')!.path;
  const placement: NodePlacement = {
    counts: p.counts,
    sections: 1,
    nodes: Object.entries(p.nodes).flatMap(([ep, list]) => list.map((l) => {
      const m = /^(\S+) \((.*)\)$/.exec(l);
      if (!m) throw new Error(`${p.component}.${p.graph}: unreadable placement line ${JSON.stringify(l)}`);
      return { ep, opType: m[1], name: m[2] };
    })),
  };
  const report = checkCpuNodes(placement, readGraphValueTypes(new Uint8Array(await readFile(path.join(modelDir(), file)))));
  return [
    ...report.violations.map((v) => `${p.component}.${p.graph}: ${v.node.opType} (${v.node.name}) on ${CPU_EP}: ${v.reason}`),
    ...report.shapeNodes.map((n) => `${p.component}.${p.graph}: ${n.opType} (${n.name}) on ${CPU_EP}: integer shape arithmetic`),
  ];
}
const image = rgbaPng(200, 160);

describe('engine in Chromium, tiny random models', () => {
  it('tiny random models: WebGPU and WASM give the same stage-1 structure and mesh features; no node on the CPU EP under WebGPU', async () => {
    const gpuLoad = await harness<{ info: { backend: string }; events: { stage: string; message?: string }[] }>('load', `${engine.server.url}models/tiny/manifest.json`, 'webgpu', wasmPaths(), { inspectPlacement: true, releasePolicy: 'keep' });
    expect(gpuLoad.info.backend).toBe('webgpu');
    const gpu = await harness<any>('generate', request(image, { ss_sampling_steps: 2, slat_sampling_steps: 2 }));
    const placement = gpu.events.filter((e: any) => e.stage === 'load' && /nodes/.test(e.message ?? '')).map((e: any) => e.message as string);
    console.log(`webgpu placement:\n  ${placement.join('\n  ')}`);
    console.log(`webgpu timings: ${JSON.stringify(gpu.timings)}`);
    expect(gpu.backend).toBe('webgpu');
    const sessions = await harness<SessionPlacement[]>('placements');
    const wasmLoad = await harness<any>('load', `${engine.server.url}models/tiny/manifest.json`, 'wasm', wasmPaths(), { releasePolicy: 'keep' });
    expect(wasmLoad.info.backend).toBe('wasm');
    const cpu = await harness<any>('generate', request(image, { ss_sampling_steps: 2, slat_sampling_steps: 2 }));
    console.log(`wasm timings: ${JSON.stringify(cpu.timings)}; voxels ${gpu.meshCount / 64} (webgpu) vs ${cpu.meshCount / 64} (wasm)`);
    expect(cpu.meshCount).toBeGreaterThan(0);
    expect(gpu.structure).toEqual(cpu.structure);
    expect(Math.abs(gpu.meshFeatsChecksum - cpu.meshFeatsChecksum)).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu.meshFeatsChecksum)));
    // Every session reported its placement and none has a node on the CPU EP.
    expect(sessions.map((p) => `${p.component}.${p.graph}`).sort()).toEqual(['dinov2.main', 'slat_decoder_mesh.head', 'slat_decoder_mesh.stats', 'slat_decoder_mesh.tail', 'slat_flow.main', 'ss_decoder.main', 'ss_flow.main']);
    const violations = (await Promise.all(sessions.map(cpuViolations))).flat();
    expect(violations).toEqual([]);
  }, 7_200_000);

});
