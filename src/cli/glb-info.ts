// What a GLB holds, read back from its bytes: the CLI reports the file it wrote, not an
// intermediate count from the pipeline (the mesh is simplified after extraction).

interface GltfJson {
  meshes?: { primitives: { indices?: number; mode?: number; attributes: Record<string, number> }[] }[];
  accessors?: { count: number }[];
}

const GLB_MAGIC = 0x46546c67; // 'glTF'
const CHUNK_JSON = 0x4e4f534a; // 'JSON'
const TRIANGLES = 4;

/** The glTF JSON chunk of a GLB; throws naming what is wrong when the bytes are not a GLB. */
export function glbJson(glb: Uint8Array): GltfJson {
  const view = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  if (glb.byteLength < 20 || view.getUint32(0, true) !== GLB_MAGIC) throw new Error('not a GLB file (no glTF magic)');
  const length = view.getUint32(12, true);
  if (view.getUint32(16, true) !== CHUNK_JSON || 20 + length > glb.byteLength) throw new Error('GLB has no JSON chunk first');
  return JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + length))) as GltfJson;
}

/** Triangles and vertices over every triangle-list primitive of every mesh. */
export function glbMeshCounts(glb: Uint8Array): { triangles: number; vertices: number } {
  const json = glbJson(glb);
  let triangles = 0;
  let vertices = 0;
  for (const mesh of json.meshes ?? [])
    for (const p of mesh.primitives) {
      if ((p.mode ?? TRIANGLES) !== TRIANGLES) continue;
      const positions = json.accessors?.[p.attributes.POSITION ?? -1]?.count ?? 0;
      vertices += positions;
      triangles += (p.indices !== undefined ? (json.accessors?.[p.indices]?.count ?? 0) : positions) / 3;
    }
  return { triangles, vertices };
}
