// useImageAsIs: a client-side generate option (not a fal parameter) that reaches the engine as
// use_image_as_is, so a NO_BACKGROUND_MODEL failure can be retried with the whole image.
import { describe, expect, it } from 'vitest';
import { createTrellis, toEngineRequest } from '../../src/api/client.ts';
import { EngineError } from '../../src/engine/errors.ts';
import type { EngineOutput, EngineRequest } from '../../src/engine/protocol.ts';
import { createWorkerApi, type Engine } from '../../src/engine/worker-api.ts';
import { serveStubManifest } from './stub-manifest-fetch.ts';
import type { GlbBuilder } from '../../src/api/glb-builder.ts';
import type { NormalizedRequest } from '../../src/api/types.ts';

/** Answers like the engine on an opaque image with no background_removal component. */
class OpaqueImageEngine implements Engine {
  readonly requests: EngineRequest[] = [];
  async load(manifestUrl: string) {
    return { manifestUrl, id: 's', name: 's', dtype: 'fp32' as const, backend: 'node' as const, components: [], bytes: 0 };
  }
  async generate(req: EngineRequest): Promise<EngineOutput> {
    this.requests.push(req);
    if (!req.use_image_as_is) throw new EngineError('NO_BACKGROUND_MODEL', 'image 1 is fully opaque and needs background removal');
    const mesh = { resolution: 256, count: 1, channels: 101, coords: new Int32Array(4), feats: new Float32Array(101) };
    return { mesh, seed: req.seed, timings: {}, backend: 'node' };
  }
  async dispose() {}
}

const glb: GlbBuilder = async (output) => ({ glb: new Uint8Array([output.mesh.count, 7]) }) as never;

function client(engine: OpaqueImageEngine) {
  const runner = createWorkerApi(async () => engine, {
    capabilities: async () => ({ webgpuApi: false, adapter: null, crossOriginIsolated: false, hardwareConcurrency: 1 }),
    fetch: serveStubManifest,
  });
  return createTrellis({ modelsUrl: 'https://models.test/s/', runner, buildGlb: glb });
}

describe('client option useImageAsIs', () => {
  it('is not sent unless given; NO_BACKGROUND_MODEL reaches the caller; the retry with useImageAsIs succeeds', async () => {
    const engine = new OpaqueImageEngine();
    const trellis = client(engine);
    const input = { image_url: 'https://img.test/photo.jpg', seed: 3 };
    const err = await trellis.generate(input).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('NO_BACKGROUND_MODEL');
    expect('use_image_as_is' in engine.requests[0]).toBe(false);
    const ok = await trellis.generate(input, { useImageAsIs: true });
    expect(ok.seed).toBe(3);
    expect(engine.requests[1].use_image_as_is).toBe(true);
    // Otherwise the same request.
    const { use_image_as_is: _, ...rest } = engine.requests[1];
    expect(rest).toEqual(engine.requests[0]);
    await trellis.generateMulti({ image_urls: ['https://img.test/a.jpg', 'https://img.test/b.jpg'], seed: 4 }, { useImageAsIs: true });
    expect(engine.requests[2].use_image_as_is).toBe(true);
    expect(engine.requests[2].images).toHaveLength(2);
    await trellis.run('fal-ai/trellis', input, { useImageAsIs: false }).catch(() => undefined);
    expect(engine.requests[3].use_image_as_is).toBe(false);
    await trellis.dispose();
  });

  it('toEngineRequest passes it through and rejects a non-boolean', () => {
    const request = { image_url: 'x.png', ss_guidance_strength: 7.5, ss_sampling_steps: 12, slat_guidance_strength: 3, slat_sampling_steps: 12, mesh_simplify: 0.95, texture_size: 1024 } as NormalizedRequest;
    expect(toEngineRequest(request, 1, { useImageAsIs: true }).use_image_as_is).toBe(true);
    expect(toEngineRequest(request, 1).use_image_as_is).toBeUndefined();
    expect(() => toEngineRequest(request, 1, { useImageAsIs: 'yes' as never })).toThrow(/useImageAsIs must be true or false/);
  });
});

describe('site: NO_BACKGROUND_MODEL help', () => {
  it('offers the as-is retry and says how to add a background model; other codes do not offer it', async () => {
    const { errorHelp } = await import('../../src/app/error-help.ts');
    const help = errorHelp('NO_BACKGROUND_MODEL');
    expect(help.offerImageAsIs).toBe(true);
    expect(help.advice.join('\n')).toMatch(/--background-model <folder>/);
    for (const code of ['NO_FOREGROUND', 'MODEL_MISSING', 'OUT_OF_MEMORY', 'INTERNAL']) expect(errorHelp(code).offerImageAsIs).toBeUndefined();
  });
});
