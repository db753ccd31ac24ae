// Main-thread geometry: decoder features -> GLB.
// decode (sparse vertex field) -> surface extraction -> clean-up -> simplify -> UV atlas ->
// texture bake -> GLB. Progress stages: geometry, simplify, uv_unwrap, texture, export.
// Extraction defaults to the dual method with the reference FlexiCubes semantics (it reproduces
// the reference mesh); plain marching cubes stays selectable (its area runs ~10 % larger on the
// decoder's noisy fields, as it follows every wiggle instead of averaging per cube).
import type { EngineOutput, ProgressCallback, Stage } from '../engine/protocol.ts';
import { cleanupMesh } from './cleanup.ts';
import { decodeVoxels } from './decode-voxels.ts';
import { dualMarchingCubesAsync } from './dual-marching-cubes.ts';
import { cubeWeights } from './dual-weights.ts';
import { writeGlb } from './glb-export.ts';
import { marchingCubesAsync } from './marching-cubes.ts';
import { defaultPngEncoder, type PngEncoder } from './png-encode.ts';
import { simplifyMesh } from './simplify.ts';
import { bakeVertexColors } from './texture-bake.ts';
import { uvUnwrap } from './uv-unwrap.ts';
import { vertexNormals } from './vertex-normals.ts';
import { throwIfAborted, yieldToEventLoop } from './yield.ts';

export interface BuildGlbOptions {
  /** fraction of faces removed (fal `mesh_simplify`, 0.9–0.98; 0 keeps all) */
  meshSimplify: number;
  textureSize: 512 | 1024 | 2048;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** defaults to pngjs in Node, OffscreenCanvas in browsers */
  pngEncoder?: PngEncoder;
  onLog?: (message: string) => void;
  /** surface extraction: 'dual' (FlexiCubes semantics, default) or 'marching-cubes' */
  extraction?: SurfaceExtraction;
}

export type SurfaceExtraction = 'dual' | 'marching-cubes';

export async function buildGlb(output: EngineOutput, opts: BuildGlbOptions): Promise<{ glb: Uint8Array; stats: Record<string, number> }> {
  if (![512, 1024, 2048].includes(opts.textureSize)) {
    throw new Error(`buildGlb: textureSize must be 512, 1024 or 2048, got ${opts.textureSize}`);
  }
  if (!(opts.meshSimplify >= 0 && opts.meshSimplify < 1)) {
    throw new Error(`buildGlb: meshSimplify must be in [0, 1), got ${opts.meshSimplify}`);
  }
  const extraction = opts.extraction ?? 'dual';
  if (extraction !== 'dual' && extraction !== 'marching-cubes') {
    throw new Error(`buildGlb: extraction must be 'dual' or 'marching-cubes', got ${String(extraction)}`);
  }
  const stats: Record<string, number> = {};
  const t0 = now();
  const report = (stage: Stage, extra: { loaded?: number; total?: number; message?: string } = {}) =>
    opts.onProgress?.({ stage, elapsed: (now() - t0) / 1000, ...extra });
  const timed = async <T>(key: string, fn: () => Promise<T> | T): Promise<T> => {
    const s = now();
    const r = await fn();
    stats[`${key}Ms`] = now() - s;
    return r;
  };

  // geometry
  throwIfAborted(opts.signal);
  report('geometry', { message: 'decoding voxels' });
  const field = await timed('decode', () => decodeVoxels(output.mesh));
  stats.voxels = output.mesh.count;
  stats.latticeVertices = field.count;
  const raw = await timed('extract', () =>
    extraction === 'dual'
      ? dualMarchingCubesAsync(field, cubeWeights(output.mesh), {
          signal: opts.signal,
          onProgress: (loaded, total, pass) => report('geometry', { loaded, total, message: `dual marching cubes (${pass})` }),
        })
      : marchingCubesAsync(field, {
          signal: opts.signal,
          onProgress: (loaded, total) => report('geometry', { loaded, total, message: 'marching cubes' }),
        }),
  );
  stats.extractDual = extraction === 'dual' ? 1 : 0;
  stats.extractVertices = raw.positions.length / 3;
  stats.extractFaces = raw.indices.length / 3;
  const cleaned = await timed('cleanup', () => cleanupMesh(raw));
  Object.assign(stats, prefixed('cleanup', cleaned.stats));
  stats.faces = cleaned.mesh.indices.length / 3;
  if (stats.faces === 0) throw new Error('buildGlb: the decoded surface is empty (no voxel has sdf < 0 next to one with sdf >= 0)');

  // simplify
  throwIfAborted(opts.signal);
  report('simplify');
  await yieldToEventLoop();
  const simplified = await timed('simplify', () => simplifyMesh(cleaned.mesh, opts.meshSimplify, { onLog: opts.onLog }));
  Object.assign(stats, prefixed('simplify', simplified.stats));

  // uv_unwrap
  throwIfAborted(opts.signal);
  report('uv_unwrap');
  const unwrapped = await timed('uvUnwrap', () => uvUnwrap(simplified.mesh, { textureSize: opts.textureSize }));
  Object.assign(stats, unwrapped.stats);
  const uvMesh = unwrapped.mesh;

  // texture
  throwIfAborted(opts.signal);
  report('texture');
  await yieldToEventLoop();
  const texture = await timed('bake', () => bakeVertexColors(uvMesh, opts.textureSize));
  stats.textureSize = opts.textureSize;
  stats.textureCoverage = texture.coverage;

  // export
  throwIfAborted(opts.signal);
  report('export');
  await yieldToEventLoop();
  const encode = opts.pngEncoder ?? defaultPngEncoder();
  const png = await timed('pngEncode', () => encode(texture.rgba, texture.size, texture.size));
  // Normals from the welded mesh, so seams in the UV atlas do not show up as shading creases.
  const welded = vertexNormals(simplified.mesh.positions, simplified.mesh.indices);
  const normals = new Float32Array(uvMesh.positions.length);
  for (let v = 0; v < uvMesh.vmapping.length; v++) {
    const w = uvMesh.vmapping[v];
    normals[3 * v] = welded[3 * w];
    normals[3 * v + 1] = welded[3 * w + 1];
    normals[3 * v + 2] = welded[3 * w + 2];
  }
  const glb = await timed('glbWrite', () =>
    writeGlb({ positions: uvMesh.positions, normals, uvs: uvMesh.uvs, indices: uvMesh.indices, texturePng: png }),
  );
  stats.glbBytes = glb.byteLength;
  stats.vertices = uvMesh.positions.length / 3;
  stats.totalMs = now() - t0;
  return { glb, stats };
}

function prefixed(prefix: string, o: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) out[prefix + k[0].toUpperCase() + k.slice(1)] = v as number;
  return out;
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}

export type { ColoredMesh } from './types.ts';
export { decodeVoxels } from './decode-voxels.ts';
export { marchingCubes, marchingCubesAsync } from './marching-cubes.ts';
export { dualMarchingCubes, dualMarchingCubesAsync, type DualMesh } from './dual-marching-cubes.ts';
export { cubeWeights } from './dual-weights.ts';
export { cleanupMesh } from './cleanup.ts';
export { simplifyMesh } from './simplify.ts';
export { uvUnwrap } from './uv-unwrap.ts';
export { bakeVertexColors } from './texture-bake.ts';
export { writeGlb } from './glb-export.ts';
