// The one owner of xatlas (xatlasjs 0.2.0). Its JS API takes 16-bit indices and returns
// 16-bit indices and vertex references, so callers must pass meshes with fewer than 65536
// vertices and check that the output stays below that too (uv-unwrap.ts splits into chunks).

export interface XatlasChartOptions {
  maxIterations?: number;
  maxCost?: number;
}

export interface XatlasPackOptions {
  /** Atlas resolution in texels (0 = chosen by xatlas). */
  resolution?: number;
  /** Texels between charts. */
  padding?: number;
  bilinear?: boolean;
  blockAlign?: boolean;
}

export interface XatlasInputMesh {
  positions: Float32Array;
  indices: Uint16Array;
}

export interface XatlasOutputMesh {
  /** (u, v) per output vertex, normalised by the atlas size */
  uvs: Float32Array;
  /** local indices into this mesh's output vertices */
  indices: Uint16Array;
  /** output vertex -> input vertex of the same mesh */
  xref: Uint16Array;
  vertexCount: number;
}

export interface XatlasResult {
  width: number;
  height: number;
  atlasCount: number;
  meshes: XatlasOutputMesh[];
}

export interface XatlasBackend {
  /** Pack all meshes into one atlas. */
  generate(meshes: XatlasInputMesh[], chart: XatlasChartOptions, pack: XatlasPackOptions): Promise<XatlasResult>;
  dispose(): Promise<void>;
}

/** Shape of xatlasjs's Api instance (dist/node/api.mjs; the web bundle exposes the same class). */
export interface XatlasApi {
  loaded: boolean | Promise<boolean>;
  createAtlas(): void | Promise<void>;
  addMesh(indexes: Uint16Array, vertices: Float32Array, normals?: null, coords?: null, meshObj?: unknown): unknown;
  generateAtlas(chart: object, pack: object, returnMeshes?: boolean): XatlasRawAtlas | Promise<XatlasRawAtlas>;
  destroyAtlas(): void | Promise<void>;
}

export interface XatlasRawAtlas {
  width: number;
  height: number;
  atlasCount: number;
  meshes: { index: Uint16Array; vertexCount: number; oldIndexes: Uint16Array; vertex: { coords1: Float32Array } }[];
}

/** Drive an Api instance (in-process or behind Comlink; every call may return a promise). */
export async function generateWithApi(
  api: XatlasApi,
  meshes: XatlasInputMesh[],
  chart: XatlasChartOptions,
  pack: XatlasPackOptions,
): Promise<XatlasResult> {
  await api.createAtlas();
  try {
    for (let i = 0; i < meshes.length; i++) {
      const m = meshes[i];
      if (m.positions.length / 3 > 65535) throw new Error(`xatlas: mesh ${i} has ${m.positions.length / 3} vertices; at most 65535 fit its 16-bit indices`);
      const added = await api.addMesh(m.indices, m.positions, null, null, i);
      if (!added) throw new Error(`xatlas: addMesh failed for chunk ${i} (${m.positions.length / 3} vertices, ${m.indices.length / 3} faces)`);
    }
    const raw = await api.generateAtlas(chart, pack, true);
    return {
      width: raw.width,
      height: raw.height,
      atlasCount: raw.atlasCount,
      meshes: raw.meshes.map((m) => ({ uvs: m.vertex.coords1, indices: m.index, xref: m.oldIndexes, vertexCount: m.vertexCount })),
    };
  } finally {
    await api.destroyAtlas();
  }
}

let shared: Promise<XatlasBackend> | undefined;

/**
 * Loaded once and reused. package.json's "#xatlas-host" resolves to the browser backend
 * (xatlas's own worker) under Vite's "browser" condition and to the in-process Node backend
 * elsewhere, so the Node one (node:module, createRequire) never enters the browser bundle.
 */
export function getXatlasBackend(): Promise<XatlasBackend> {
  shared ??= import('#xatlas-host')
    .then((m) => m.createXatlas())
    .catch((e: unknown) => {
      shared = undefined;
      throw e;
    });
  return shared;
}
