import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { WebIO } from '@gltf-transform/core';
// @ts-expect-error gltf-validator ships no type declarations
import validator from 'gltf-validator';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import * as THREE from 'three';
import { buildGlb } from '../../src/geometry/index.ts';
import { sdfToVoxelFeatures, torusSdf } from '../../src/geometry/sdf-features.ts';
import { decodeVoxels } from '../../src/geometry/decode-voxels.ts';
import { marchingCubes } from '../../src/geometry/marching-cubes.ts';
import { dualMarchingCubes } from '../../src/geometry/dual-marching-cubes.ts';
import { cubeWeights } from '../../src/geometry/dual-weights.ts';
import { cleanupMesh } from '../../src/geometry/cleanup.ts';
import { simplifyMesh } from '../../src/geometry/simplify.ts';
import { uvUnwrap } from '../../src/geometry/uv-unwrap.ts';
import { bakeVertexColors } from '../../src/geometry/texture-bake.ts';
import type { ProgressEvent } from '../../src/engine/protocol.ts';

const features = sdfToVoxelFeatures(torusSdf(0.3, 0.12), {
  res: 128,
  colorLogits: (x, y, z) => [8 * x, 8 * y, 8 * z],
  bounds: [-0.43, -0.43, -0.13, 0.43, 0.43, 0.13],
});
const output = { mesh: features, seed: 1, timings: {}, backend: 'node' as const };

describe.each([512, 1024, 2048] as const)('GLB at texture_size %i', (size) => {
  const events: ProgressEvent[] = [];
  const built = buildGlb(output, { meshSimplify: 0.95, textureSize: size, onProgress: (e) => events.push(e) });

  it('passes the Khronos validator with 0 errors', async () => {
    const { glb } = await built;
    const report = await validator.validateBytes(glb);
    expect(report.issues.messages.filter((m: { severity: number }) => m.severity === 0)).toEqual([]);
    expect(report.issues.numErrors).toBe(0);
  });

  it('reads back with a PBR material: PNG baseColor texture of the right size, metallic 0, roughness 1', async () => {
    const { glb, stats } = await built;
    const doc = await new WebIO().readBinary(glb);
    const [material] = doc.getRoot().listMaterials();
    expect(material.getMetallicFactor()).toBe(0);
    expect(material.getRoughnessFactor()).toBe(1);
    const tex = material.getBaseColorTexture();
    expect(tex?.getMimeType()).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(tex!.getImage()!));
    expect([png.width, png.height]).toEqual([size, size]);
    const prim = doc.getRoot().listMeshes()[0].listPrimitives()[0];
    const uv = prim.getAttribute('TEXCOORD_0')!.getArray()!;
    for (const u of uv) expect(u >= 0 && u <= 1).toBe(true);
    expect(prim.getAttribute('NORMAL')!.getCount()).toBe(prim.getAttribute('POSITION')!.getCount());
    expect(prim.getIndices()!.getCount() / 3).toBe(stats.simplifyFacesOut);
    // Y-up: the torus axis (reference z) becomes y, so the y extent is the thin one.
    const pos = prim.getAttribute('POSITION')!;
    const min = pos.getMin([0, 0, 0]);
    const max = pos.getMax([0, 0, 0]);
    expect(max[1] - min[1]).toBeLessThan(0.3);
    expect(max[0] - min[0]).toBeGreaterThan(0.8);
    expect(max[2] - min[2]).toBeGreaterThan(0.8);
  });

  it('reports the five geometry stages in order', async () => {
    await built;
    const order = [...new Set(events.map((e) => e.stage))];
    expect(order).toEqual(['geometry', 'simplify', 'uv_unwrap', 'texture', 'export']);
  });
});

describe('surface extraction choice', () => {
  it('defaults to the dual extraction; marching cubes is selectable; anything else is rejected', async () => {
    const field = decodeVoxels(features);
    const dual = await buildGlb(output, { meshSimplify: 0.9, textureSize: 512 });
    expect(dual.stats.extractDual).toBe(1);
    expect(dual.stats.extractFaces).toBe(dualMarchingCubes(field, cubeWeights(features)).indices.length / 3);
    const mc = await buildGlb(output, { meshSimplify: 0.9, textureSize: 512, extraction: 'marching-cubes' });
    expect(mc.stats.extractDual).toBe(0);
    expect(mc.stats.extractFaces).toBe(marchingCubes(field).indices.length / 3);
    await expect(buildGlb(output, { meshSimplify: 0.9, textureSize: 512, extraction: 'flexicubes' as never })).rejects.toThrow(/extraction must be 'dual' or 'marching-cubes'/);
  });
});

describe('GLB loads in three.js GLTFLoader (Node)', () => {
  it('parses into one mesh with the expected triangle count and a textured material', async () => {
    const { glb, stats } = await buildGlb(output, { meshSimplify: 0.9, textureSize: 512 });
    // GLTFLoader reads `self` (a browser global) when it sets up texture loading.
    (globalThis as { self?: unknown }).self ??= globalThis;
    const loader = new GLTFLoader();
    // Node has no image decoding: swallow the texture load (checked above through gltf-transform).
    const parser = await new Promise<{ scene: THREE.Group; parser: { json: { images: unknown[]; materials: { pbrMetallicRoughness: { baseColorTexture?: unknown } }[] } } }>((resolve, reject) =>
      loader.parse(glb.buffer.slice(glb.byteOffset, glb.byteOffset + glb.byteLength) as ArrayBuffer, '', resolve as never, reject),
    ).catch((e: Error) => {
      throw new Error(`GLTFLoader: ${e.message}`);
    });
    const meshes: THREE.Mesh[] = [];
    parser.scene.traverse((o) => {
      if ((o as THREE.Mesh).isMesh) meshes.push(o as THREE.Mesh);
    });
    expect(meshes.length).toBe(1);
    expect(meshes[0].geometry.index!.count / 3).toBe(stats.simplifyFacesOut);
    expect(parser.parser.json.materials[0].pbrMetallicRoughness.baseColorTexture).toBeDefined();
    expect(parser.parser.json.images.length).toBe(1);
  });
});

describe('texture bake', () => {
  it('texels under each vertex hold that vertex colour, and charts are dilated', async () => {
    const mesh = (await simplifyMesh(cleanupMesh(marchingCubes(decodeVoxels(features))).mesh, 0.9)).mesh;
    const { mesh: uvMesh } = await uvUnwrap(mesh, { textureSize: 1024 });
    const tex = bakeVertexColors(uvMesh, 1024);
    let worst = 0;
    for (let v = 0; v < uvMesh.vmapping.length; v++) {
      const x = Math.min(1023, Math.floor(uvMesh.uvs[2 * v] * 1024));
      const y = Math.min(1023, Math.floor((1 - uvMesh.uvs[2 * v + 1]) * 1024));
      for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(tex.rgba[4 * (y * 1024 + x) + k] / 255 - uvMesh.colors[3 * v + k]));
    }
    // The texel holding a vertex is at most ~1 texel from it; colours change by ~0.03 per voxel
    // here and a voxel spans several texels, so a texel differs from its vertex by well under 0.02.
    expect(worst).toBeLessThan(0.02);
    expect(tex.coverage).toBeGreaterThan(0.2);
  });
});
