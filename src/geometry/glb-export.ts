// GLB writer (@gltf-transform/core, same code in Node and browsers).
//
// Matches the reference export (spec §8.6–8.7): Z-up → Y-up by (x, y, z) → (x, z, −y) (a
// rotation, winding kept), PBR material with a PNG baseColorTexture, baseColorFactor 1,
// roughnessFactor 1, TEXCOORD_0 with v flipped (v_gltf = 1 − v_xatlas).
// Product decision: metallicFactor is written as 0. The reference leaves it unset, so glTF's
// default 1.0 applies and its models render as dark metal in most viewers; a baked albedo is
// meant as a dielectric, so we write 0.
import { Document, WebIO } from '@gltf-transform/core';

export interface GlbInput {
  /** Z-up reference frame */
  positions: Float32Array;
  /** unit vertex normals, Z-up */
  normals: Float32Array;
  /** xatlas convention (v down the image) */
  uvs: Float32Array;
  indices: Uint32Array;
  /** encoded PNG */
  texturePng: Uint8Array;
}

export async function writeGlb(input: GlbInput): Promise<Uint8Array> {
  const V = input.positions.length / 3;
  if (input.normals.length !== V * 3) throw new Error(`glb: normals length ${input.normals.length} != 3 × ${V} vertices`);
  if (input.uvs.length !== V * 2) throw new Error(`glb: uvs length ${input.uvs.length} != 2 × ${V} vertices`);
  for (let i = 0; i < input.indices.length; i++) {
    if (input.indices[i] >= V) throw new Error(`glb: index ${input.indices[i]} at ${i} >= vertex count ${V}`);
  }
  const pos = toYUp(input.positions);
  const nrm = toYUp(input.normals);
  const uv = new Float32Array(V * 2);
  for (let v = 0; v < V; v++) {
    uv[2 * v] = input.uvs[2 * v];
    uv[2 * v + 1] = 1 - input.uvs[2 * v + 1];
  }
  const indices = V <= 65535 ? Uint16Array.from(input.indices) : Uint32Array.from(input.indices);

  const doc = new Document();
  const buffer = doc.createBuffer('buffer');
  const texture = doc.createTexture('baseColor').setImage(input.texturePng).setMimeType('image/png');
  const material = doc
    .createMaterial('material')
    .setBaseColorFactor([1, 1, 1, 1])
    .setBaseColorTexture(texture)
    .setMetallicFactor(0)
    .setRoughnessFactor(1);
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor('position').setType('VEC3').setArray(pos).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor('normal').setType('VEC3').setArray(nrm).setBuffer(buffer))
    .setAttribute('TEXCOORD_0', doc.createAccessor('uv').setType('VEC2').setArray(uv).setBuffer(buffer))
    .setIndices(doc.createAccessor('indices').setType('SCALAR').setArray(indices).setBuffer(buffer))
    .setMaterial(material);
  const mesh = doc.createMesh('mesh').addPrimitive(prim);
  const node = doc.createNode('mesh').setMesh(mesh);
  const scene = doc.createScene('scene').addChild(node);
  doc.getRoot().setDefaultScene(scene);
  doc.getRoot().getAsset().generator = 'trellis-web';
  return new WebIO().writeBinary(doc);
}

/** (x, y, z) → (x, z, −y) */
function toYUp(a: Float32Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i += 3) {
    out[i] = a[i];
    out[i + 1] = a[i + 2];
    out[i + 2] = -a[i + 1];
  }
  return out;
}
