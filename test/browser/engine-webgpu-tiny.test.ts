// A full generation with the tiny random models (real architectures, converted by the real
// converter) from an RGBA image in headless Chromium, under WebGPU (SwiftShader: ~2 min) and
// under WASM: same stage-1 structure and mesh features for the same seed; ORT's node placement
// under WebGPU is reported and no session has a node on the CPU EP.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { rgbaPng, request, useEngineHarness } from './engine-harness/session.ts';
import { makeTinyRandomModels } from '../../src/convert/fixtures/tiny-models.ts';
import { cpuNodeCount } from '../../src/engine/ort/placement.ts';

const engine = useEngineHarness({ models: (dir) => makeTinyRandomModels(path.join(dir, 'models', 'tiny')), echoConsole: /CPUExecutionProvider|placed on|^\[progress\]/ });
const harness = engine.call;
const wasmPaths = engine.wasmPaths;
interface SessionPlacement { component: string; graph: string; counts: Record<string, number>; nodes: Record<string, string[]> }

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
    const onCpu = sessions.filter((p) => cpuNodeCount(p) > 0).map((p) => `${p.component}.${p.graph}: ${(p.nodes.CPUExecutionProvider ?? []).join('; ')}`);
    expect(onCpu).toEqual([]);
  }, 7_200_000);

});
