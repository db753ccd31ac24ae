// Geometry benchmarks: `npx tsx bench/geometry.ts` (or via benchGeometry()).
import { pathToFileURL } from 'node:url';
import { decodeVoxels, type VertexField } from '../src/geometry/decode-voxels.ts';
import { DEFAULT_SDF } from '../src/geometry/decode-voxels.ts';
import { marchingCubes } from '../src/geometry/marching-cubes.ts';
import { dualMarchingCubes } from '../src/geometry/dual-marching-cubes.ts';
import { cubeWeights } from '../src/geometry/dual-weights.ts';
import { TRI_OFFSET } from '../src/geometry/mc-tables.ts';
import { cleanupMesh } from '../src/geometry/cleanup.ts';
import { simplifyMesh } from '../src/geometry/simplify.ts';
import { uvUnwrap } from '../src/geometry/uv-unwrap.ts';
import { bakeVertexColors } from '../src/geometry/texture-bake.ts';
import { writeGlb } from '../src/geometry/glb-export.ts';
import { hostPngEncoder as nodePngEncoder } from '../src/geometry/png-encode-node.ts';
import { vertexNormals } from '../src/geometry/vertex-normals.ts';
import { sdfToVoxelFeatures, sphereSdf, torusSdf } from '../src/geometry/sdf-features.ts';

export interface BenchRow {
  name: string;
  ms: number;
  note?: string;
}

async function time<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** Baseline: classify every one of the 256³ cubes (8 lookups each), as a dense MC would. */
function denseCaseScan(field: VertexField): number {
  const res = field.res;
  const n1 = res + 1;
  let surfaceCubes = 0;
  for (let i = 0; i < res; i++) {
    for (let j = 0; j < res; j++) {
      for (let k = 0; k < res; k++) {
        let c = 0;
        for (let q = 0; q < 8; q++) {
          const s = field.index.get(((i + (q & 1)) * n1 + (j + ((q >> 1) & 1))) * n1 + (k + ((q >> 2) & 1)));
          if ((s >= 0 ? field.sdf[s] : DEFAULT_SDF) < 0) c |= 1 << q;
        }
        if (TRI_OFFSET[c + 1] > TRI_OFFSET[c]) surfaceCubes++;
      }
    }
  }
  return surfaceCubes;
}

export async function benchGeometry(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // ~40k-voxel shell at 256³: a sphere of radius 0.165 with a 1-voxel band.
  const shell = sdfToVoxelFeatures(sphereSdf(0.165), { band: 0.9, bounds: [-0.18, -0.18, -0.18, 0.18, 0.18, 0.18], colorLogits: (x, y, z) => [4 * x, 4 * y, 4 * z] });
  const [field, tDecode] = await time(() => decodeVoxels(shell));
  rows.push({ name: 'decode voxels', ms: tDecode, note: `${shell.count} voxels -> ${field.count} lattice vertices` });
  const [mc, tMc] = await time(() => marchingCubes(field));
  rows.push({ name: 'marching cubes (sparse)', ms: tMc, note: `${mc.indices.length / 3} faces` });
  const [dual, tDual] = await time(() => dualMarchingCubes(field, cubeWeights(shell)));
  rows.push({ name: 'dual marching cubes (FlexiCubes semantics, default)', ms: tDual, note: `${dual.indices.length / 3} faces, ${dual.positions.length / 3} vertices` });
  const [surf, tDense] = await time(() => denseCaseScan(field));
  rows.push({ name: 'dense 256³ cube scan (baseline, classification only)', ms: tDense, note: `${surf} surface cubes; sparse MC is ${(tDense / tMc).toFixed(1)}× faster` });

  // ~500k-face mesh for simplify: torus at 256³ after clean-up.
  const big = cleanupMesh(marchingCubes(decodeVoxels(sdfToVoxelFeatures(torusSdf(0.3, 0.12), { bounds: [-0.43, -0.43, -0.13, 0.43, 0.43, 0.13], colorLogits: (x, y, z) => [8 * x, 8 * y, 8 * z] })))).mesh;
  const sphere2 = cleanupMesh(marchingCubes(decodeVoxels(sdfToVoxelFeatures(sphereSdf(0.35), { bounds: [-0.36, -0.36, -0.36, 0.36, 0.36, 0.36] })))).mesh;
  const F = big.indices.length / 3 + sphere2.indices.length / 3;
  // Two shapes merged into one ~570k-face mesh.
  const off = big.positions.length / 3;
  const merged = {
    positions: Float32Array.from([...big.positions, ...sphere2.positions.map((v) => v * 0.5)]),
    colors: Float32Array.from([...big.colors, ...sphere2.colors]),
    indices: Uint32Array.from([...big.indices, ...Array.from(sphere2.indices, (i) => i + off)]),
  };
  const s = 1 - 25_000 / F;
  const [simp, tSimp] = await time(() => simplifyMesh(merged, s));
  rows.push({ name: 'simplify', ms: tSimp, note: `${F} -> ${simp.stats.facesOut} faces` });
  const [uv, tUv] = await time(() => uvUnwrap(simp.mesh, { textureSize: 1024 }));
  rows.push({ name: 'uv unwrap (xatlas)', ms: tUv, note: `${uv.stats.uvVerticesOut} vertices, ${uv.stats.uvChunks} chunk(s)` });
  const [, tBake1] = await time(() => bakeVertexColors(uv.mesh, 1024));
  rows.push({ name: 'bake 1024', ms: tBake1 });
  const [tex2, tBake2] = await time(() => bakeVertexColors(uv.mesh, 2048));
  rows.push({ name: 'bake 2048', ms: tBake2 });
  const [png, tPng] = await time(() => nodePngEncoder(tex2.rgba, 2048, 2048));
  rows.push({ name: 'png encode 2048 (pngjs)', ms: tPng, note: `${png.byteLength} bytes` });
  const nrm = vertexNormals(simp.mesh.positions, simp.mesh.indices);
  const normals = new Float32Array(uv.mesh.positions.length);
  uv.mesh.vmapping.forEach((w, v) => normals.set(nrm.subarray(3 * w, 3 * w + 3), 3 * v));
  const [glb, tGlb] = await time(() => writeGlb({ positions: uv.mesh.positions, normals, uvs: uv.mesh.uvs, indices: uv.mesh.indices, texturePng: png }));
  rows.push({ name: 'glb write', ms: tGlb, note: `${glb.byteLength} bytes` });
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchGeometry();
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) console.log(`${r.name.padEnd(w)}  ${r.ms.toFixed(1).padStart(9)} ms  ${r.note ?? ''}`);
  process.exit(0);
}
