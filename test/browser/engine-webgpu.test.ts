// The engine in headless Chromium (WebGPU on SwiftShader) through a test harness worker that runs
// src/engine exactly as the app's worker does, on stand-in graphs (fast; the tiny random models
// are in engine-webgpu-tiny.test.ts):
//  - WebGPU and WASM give the same structure and features; no node on the CPU EP under WebGPU;
//  - cancel during stage 2, then a new generation succeeds;
//  - a lost GPU device is DEVICE_LOST and the next generation runs on a new device;
//  - 10 generations in a row in one worker leave the number of live GPU buffers unchanged.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { rgbaPng, request, useEngineHarness } from './engine-harness/session.ts';
import { writeFakeModelFolder } from '../unit/engine-fixture.ts';

const engine = useEngineHarness({ models: (dir) => writeFakeModelFolder(path.join(dir, 'models', 'standin')), echoConsole: /CPUExecutionProvider|placed on/ });
const harness = engine.call;
const wasmPaths = engine.wasmPaths;
const image = rgbaPng(200, 160);

describe('engine in Chromium', () => {
  it('stand-in models: WebGPU and WASM agree; every session places all nodes on the WebGPU EP', async () => {
    const gpuLoad = await harness<any>('load', `${engine.server.url}models/standin/manifest.json`, 'webgpu', wasmPaths(), { inspectPlacement: true });
    expect(gpuLoad.info.backend).toBe('webgpu');
    const gpu = await harness<any>('generate', request(image));
    const placement = gpu.events.filter((e: any) => e.stage === 'load' && /nodes/.test(e.message ?? '')).map((e: any) => e.message as string);
    console.log(`webgpu placement:\n  ${placement.join('\n  ')}`);
    await harness('load', `${engine.server.url}models/standin/manifest.json`, 'wasm', wasmPaths());
    const cpu = await harness<any>('generate', request(image));
    expect(gpu.backend).toBe('webgpu');
    expect(cpu.backend).toBe('wasm');
    expect(gpu.meshCount).toBeGreaterThan(0);
    expect(gpu.structure).toEqual(cpu.structure);
    expect(Math.abs(gpu.meshFeatsChecksum - cpu.meshFeatsChecksum)).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu.meshFeatsChecksum)));
    expect(placement.length).toBe(5);
    for (const line of placement) {
      expect(line, line).toMatch(/on WebGpuExecutionProvider/);
      expect(line, line).not.toMatch(/CPUExecutionProvider/);
    }
  }, 600_000);

  it('cancel during stage 2, then a new generation succeeds (WebGPU)', async () => {
    await harness('load', `${engine.server.url}models/standin/manifest.json`, 'webgpu', wasmPaths());
    const cancelled = await harness<{ code: string }>('generateAndCancel', request(image, { slat_sampling_steps: 4 }), 'structured_latent', 1);
    expect(cancelled.code).toBe('CANCELLED');
    const again = await harness<any>('generate', request(image));
    expect(again.backend).toBe('webgpu');
    expect(again.meshCount).toBeGreaterThan(0);
  }, 600_000);

  it('a lost GPU device is DEVICE_LOST, and the next generation runs on a fresh device', async () => {
    await harness('load', `${engine.server.url}models/standin/manifest.json`, 'webgpu', wasmPaths(), { releasePolicy: 'keep' });
    const before = await harness<any>('generate', request(image));
    expect(await harness('loseDevice')).toBe(true);
    const lost = await harness<any>('generate', request(image)).catch((e: Error) => e.message);
    expect(String(lost)).toMatch(/DEVICE_LOST|device was lost/);
    const after = await harness<any>('generate', request(image));
    expect(after.backend).toBe('webgpu');
    expect(after.structure).toEqual(before.structure);
  }, 600_000);

  it('10 generations in one worker: live GPU buffers do not grow', async () => {
    // 'keep': sessions (weights, ORT's buffer cache) persist across generations, so a leak per
    // generation would show as growth.
    await harness('load', `${engine.server.url}models/standin/manifest.json`, 'webgpu', wasmPaths(), { releasePolicy: 'keep' });
    const live: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await harness<any>('generate', request(image, { seed: 100 + (i % 2) }));
      expect(r.meshCount).toBeGreaterThan(0);
      live.push((await harness<{ live: number }>('gpuBuffers')).live);
    }
    console.log(`'keep': live GPU buffers after each generation: ${live.join(', ')}`);
    const { wrapped, created } = await harness<{ wrapped: boolean; created: number }>('gpuBuffers');
    expect(wrapped).toBe(true);
    expect(created).toBeGreaterThan(0);
    expect(live[0]).toBeGreaterThan(0);
    // After the first two runs (ORT's buffer cache fills), the count stays flat.
    for (let i = 2; i < live.length; i++) expect(live[i]).toBeLessThanOrEqual(live[1]);
    expect((await harness<string[]>('liveSessions')).length).toBe(5);
    // 'per-stage': every buffer is destroyed once each stage is done.
    await harness('load', `${engine.server.url}models/standin/manifest.json`, 'webgpu', wasmPaths(), { releasePolicy: 'per-stage' });
    // Baseline after the 'keep' engine was disposed (buffers of a device destroyed by an earlier
    // test are never destroyed one by one and stay in the count).
    const baseline = (await harness<{ live: number }>('gpuBuffers')).live;
    const after: number[] = [];
    for (let i = 0; i < 3; i++) {
      await harness<any>('generate', request(image, { seed: 7 }));
      after.push((await harness<{ live: number }>('gpuBuffers')).live);
    }
    console.log(`'per-stage': live GPU buffers after each generation: ${after.join(', ')} (baseline ${baseline})`);
    expect(after).toEqual([baseline, baseline, baseline]);
    expect(await harness('liveSessions')).toEqual([]);
  }, 900_000);
});
