// The client's default GLB step (src/geometry's buildGlb, loaded lazily) on engine output that
// depends on the request: a sphere whose radius comes from ss_sampling_steps. The GLB must be valid
// glTF and its bounds must match that radius.
// @ts-expect-error gltf-validator ships no type declarations
import validator from 'gltf-validator';
import { describe, expect, it } from 'vitest';
import { createTrellis } from '../../src/api/client.ts';
import { throwIfCancelled } from '../../src/engine/errors.ts';
import type { EngineOutput, EngineRequest, ProgressEvent } from '../../src/engine/protocol.ts';
import { createWorkerApi, type Engine } from '../../src/engine/worker-api.ts';
import { sdfToVoxelFeatures, sphereSdf } from '../../src/geometry/sdf-features.ts';
import { serveStubManifest } from './stub-manifest-fetch.ts';

const RES = 64;
const radiusFor = (req: EngineRequest) => 0.1 + 0.02 * req.ss_sampling_steps;

class SphereEngine implements Engine {
  async load(manifestUrl: string) {
    return { manifestUrl, id: 's', name: 's', dtype: 'fp32' as const, backend: 'node' as const, components: [], bytes: 0 };
  }
  async generate(req: EngineRequest, _p: ((e: ProgressEvent) => void) | undefined, signal: AbortSignal): Promise<EngineOutput> {
    throwIfCancelled(signal);
    const r = radiusFor(req);
    const mesh = sdfToVoxelFeatures(sphereSdf(r), { res: RES, bounds: [-r - 0.02, -r - 0.02, -r - 0.02, r + 0.02, r + 0.02, r + 0.02] });
    return { mesh, seed: req.seed, timings: { decode: 0 }, backend: 'node' };
  }
  async dispose() {}
}


function glbJson(bytes: Uint8Array): any {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + len)));
}

describe('client with the default GLB builder', () => {
  it('turns engine output into a valid GLB whose size follows the request', async () => {
    const runner = createWorkerApi(async () => new SphereEngine(), {
      capabilities: async () => ({ webgpuApi: false, adapter: null, crossOriginIsolated: false, hardwareConcurrency: 1 }),
      fetch: serveStubManifest,
    });
    const trellis = createTrellis({ modelsUrl: 'https://models.test/s/', runner });
    const stages = new Set<string>();
    const result = await trellis.generate(
      { image_url: 'https://img.test/a.png', seed: 9, ss_sampling_steps: 5, texture_size: 512, mesh_simplify: 0.9 },
      { onProgress: (e) => stages.add(e.stage) },
    );
    const bytes = new Uint8Array(await result.model_mesh.file_data!.arrayBuffer());
    expect(bytes.length).toBe(result.model_mesh.file_size);
    const report = await validator.validateBytes(bytes);
    expect(report.issues.numErrors).toBe(0);
    const json = glbJson(bytes);
    const position = json.accessors[json.meshes[0].primitives[0].attributes.POSITION];
    const r = 0.1 + 0.02 * 5;
    for (let axis = 0; axis < 3; axis++) {
      expect(Math.abs(position.max[axis] - r)).toBeLessThan(2 / RES);
      expect(Math.abs(position.min[axis] + r)).toBeLessThan(2 / RES);
    }
    expect(stages.has('export')).toBe(true);
    expect(result.timings.export).toBeGreaterThan(0);
  });
});
