// UV atlas with xatlas (spec §8.3). The mesh is cut into chunks of at most `maxChunkVertices`
// vertices (xatlasjs only takes 16-bit indices) that are packed together into one atlas; each
// chunk boundary becomes a chart seam. Charts are packed at the final texture resolution with
// `padding` texels between them so the bake can dilate without bleeding (the reference uses
// xatlas defaults: no padding, automatic resolution).
import { getXatlasBackend, type XatlasBackend, type XatlasInputMesh } from './xatlas-backend.ts';
import type { ColoredMesh } from './types.ts';

export interface UvMesh {
  positions: Float32Array;
  colors: Float32Array;
  /** (u, v) per vertex in [0, 1], xatlas convention (v = image row / height) */
  uvs: Float32Array;
  indices: Uint32Array;
  /** output vertex -> input vertex (vertices are split along seams) */
  vmapping: Uint32Array;
}

export interface UvUnwrapOptions {
  textureSize: number;
  /** Texels between charts as asked of xatlas (default 5; xatlas only approximates the requested resolution, so the effective padding at textureSize is padding·textureSize/atlasSize). */
  padding?: number;
  maxChunkVertices?: number;
  backend?: XatlasBackend;
}

export interface UvUnwrapStats {
  uvChunks: number;
  uvVerticesIn: number;
  uvVerticesOut: number;
  atlasWidth: number;
  atlasHeight: number;
}

export async function uvUnwrap(mesh: ColoredMesh, opts: UvUnwrapOptions): Promise<{ mesh: UvMesh; stats: UvUnwrapStats }> {
  const backend = opts.backend ?? (await getXatlasBackend());
  let maxVerts = opts.maxChunkVertices ?? 30_000;
  const F = mesh.indices.length / 3;
  if (F === 0) throw new Error('uv unwrap: mesh has no faces');
  for (;;) {
    const chunks = splitChunks(mesh, maxVerts);
    const atlas = await backend.generate(
      chunks.map((c) => c.input),
      { maxIterations: 1 },
      { resolution: opts.textureSize, padding: opts.padding ?? 5, bilinear: true },
    );
    if (atlas.atlasCount !== 1) {
      throw new Error(`uv unwrap: xatlas produced ${atlas.atlasCount} atlases at ${opts.textureSize}²; expected one`);
    }
    // Output indices are 16-bit: a chunk whose split vertex count overflows must be redone smaller.
    if (atlas.meshes.some((m) => m.vertexCount > 65535)) {
      if (maxVerts < 2000) throw new Error('uv unwrap: xatlas output exceeds 16-bit indices even for small chunks');
      maxVerts = Math.floor(maxVerts / 2);
      continue;
    }
    let nv = 0;
    let ni = 0;
    for (const m of atlas.meshes) {
      nv += m.vertexCount;
      ni += m.indices.length;
    }
    const positions = new Float32Array(nv * 3);
    const colors = new Float32Array(nv * 3);
    const uvs = new Float32Array(nv * 2);
    const indices = new Uint32Array(ni);
    const vmapping = new Uint32Array(nv);
    let vo = 0;
    let io = 0;
    atlas.meshes.forEach((m, ci) => {
      const global = chunks[ci].globalVertex;
      for (let i = 0; i < m.indices.length; i++) indices[io + i] = vo + m.indices[i];
      for (let v = 0; v < m.vertexCount; v++) {
        const g = global[m.xref[v]];
        vmapping[vo + v] = g;
        for (let k = 0; k < 3; k++) {
          positions[3 * (vo + v) + k] = mesh.positions[3 * g + k];
          colors[3 * (vo + v) + k] = mesh.colors[3 * g + k];
        }
        uvs[2 * (vo + v)] = m.uvs[2 * v];
        uvs[2 * (vo + v) + 1] = m.uvs[2 * v + 1];
      }
      vo += m.vertexCount;
      io += m.indices.length;
    });
    return {
      mesh: { positions, colors, uvs, indices, vmapping },
      stats: {
        uvChunks: chunks.length,
        uvVerticesIn: mesh.positions.length / 3,
        uvVerticesOut: nv,
        atlasWidth: atlas.width,
        atlasHeight: atlas.height,
      },
    };
  }
}

interface Chunk {
  input: XatlasInputMesh;
  /** local vertex -> mesh vertex */
  globalVertex: Uint32Array;
}

/** Consecutive face runs with at most maxVerts distinct vertices each (face order is spatially coherent after MC and simplification). */
function splitChunks(mesh: ColoredMesh, maxVerts: number): Chunk[] {
  const F = mesh.indices.length / 3;
  const V = mesh.positions.length / 3;
  const local = new Int32Array(V).fill(-1);
  const stamp = new Int32Array(V).fill(-1);
  const chunks: Chunk[] = [];
  let f = 0;
  while (f < F) {
    const id = chunks.length;
    const globals: number[] = [];
    const start = f;
    while (f < F) {
      let fresh = 0;
      for (let k = 0; k < 3; k++) if (stamp[mesh.indices[3 * f + k]] !== id) fresh++;
      if (globals.length + fresh > maxVerts) break;
      for (let k = 0; k < 3; k++) {
        const v = mesh.indices[3 * f + k];
        if (stamp[v] !== id) {
          stamp[v] = id;
          local[v] = globals.length;
          globals.push(v);
        }
      }
      f++;
    }
    const idx = new Uint16Array(3 * (f - start));
    for (let q = start; q < f; q++) for (let k = 0; k < 3; k++) idx[3 * (q - start) + k] = local[mesh.indices[3 * q + k]];
    const pos = new Float32Array(globals.length * 3);
    globals.forEach((g, i) => {
      pos[3 * i] = mesh.positions[3 * g];
      pos[3 * i + 1] = mesh.positions[3 * g + 1];
      pos[3 * i + 2] = mesh.positions[3 * g + 2];
    });
    chunks.push({ input: { positions: pos, indices: idx }, globalVertex: Uint32Array.from(globals) });
  }
  return chunks;
}
