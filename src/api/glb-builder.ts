// The main-thread step that turns engine output into a GLB (src/geometry's buildGlb); the client
// takes it as an injectable dependency so tests and other hosts can supply their own.
import { EngineError } from '../engine/errors.ts';
import type { EngineOutput, ProgressCallback } from '../engine/protocol.ts';
import type { TextureSize } from './types.ts';

export interface GlbBuildOptions {
  meshSimplify: number;
  textureSize: TextureSize;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

export interface GlbBuildResult {
  glb: Uint8Array;
  stats: Record<string, number>;
}

export type GlbBuilder = (output: EngineOutput, opts: GlbBuildOptions) => Promise<GlbBuildResult>;

/** src/geometry, loaded on first use so the page does not pay for it before a generation. */
export async function loadDefaultGlbBuilder(): Promise<GlbBuilder> {
  try {
    const { buildGlb } = await import('../geometry/index.ts');
    return buildGlb satisfies GlbBuilder;
  } catch (error) {
    throw new EngineError('INTERNAL', `the geometry step (src/geometry) could not be loaded: ${(error as Error).message}`, { cause: error });
  }
}
