// The main-thread step that turns engine output into a GLB (src/geometry). Loaded lazily so the
// site's first paint does not pay for it, and so this package builds while it is absent.
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

interface GeometryModule {
  buildGlb: GlbBuilder;
}

const GEOMETRY_PATH = '../geometry/index.ts';

// Under Vite (site build, vitest) the glob is resolved at build time and is empty while the file
// is missing; under plain Node/tsx import.meta.env is undefined and we import by URL instead.
const viteModules: Record<string, () => Promise<GeometryModule>> | undefined = import.meta.env
  ? import.meta.glob<GeometryModule>('../geometry/index.ts')
  : undefined;

export async function loadDefaultGlbBuilder(): Promise<GlbBuilder> {
  let mod: GeometryModule;
  if (viteModules) {
    const load = viteModules[GEOMETRY_PATH];
    if (!load) throw new EngineError('INTERNAL', 'the geometry step (src/geometry/index.ts) is not part of this build: no GLB can be made');
    mod = await load();
  } else {
    try {
      mod = (await import(/* @vite-ignore */ new URL(GEOMETRY_PATH, import.meta.url).href)) as GeometryModule;
    } catch (error) {
      throw new EngineError('INTERNAL', `the geometry step (src/geometry/index.ts) could not be loaded: ${(error as Error).message}`, { cause: error });
    }
  }
  if (typeof mod.buildGlb !== 'function') throw new EngineError('INTERNAL', 'src/geometry/index.ts does not export buildGlb()');
  return mod.buildGlb;
}
