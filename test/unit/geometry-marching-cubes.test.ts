import { describe, expect, it } from 'vitest';
import { cleanupMesh } from '../../src/geometry/cleanup.ts';
import { decodeVoxels } from '../../src/geometry/decode-voxels.ts';
import { marchingCubes, marchingCubesAsync } from '../../src/geometry/marching-cubes.ts';
import { TRI_EDGES, TRI_OFFSET } from '../../src/geometry/mc-tables.ts';
import { signedVolume, surfaceArea } from '../../src/geometry/mesh-measure.ts';
import { sdfToVoxelFeatures, sphereSdf, torusSdf } from '../../src/geometry/sdf-features.ts';
import { expectClosedOrientedManifold, expectInnerShellRemoved } from './geometry-surface-checks.ts';

const colorLogits = (x: number, y: number, z: number): [number, number, number] => [4 * x, 4 * y, 4 * z];

const shapes = [
  {
    name: 'sphere r=0.35',
    features: () => sdfToVoxelFeatures(sphereSdf(0.35), { colorLogits, bounds: [-0.36, -0.36, -0.36, 0.36, 0.36, 0.36] }),
    area: 4 * Math.PI * 0.35 ** 2,
    volume: (4 / 3) * Math.PI * 0.35 ** 3,
  },
  {
    name: 'torus R=0.3 r=0.12',
    features: () => sdfToVoxelFeatures(torusSdf(0.3, 0.12), { colorLogits, bounds: [-0.43, -0.43, -0.13, 0.43, 0.43, 0.13] }),
    area: 4 * Math.PI ** 2 * 0.3 * 0.12,
    volume: 2 * Math.PI ** 2 * 0.3 * 0.12 ** 2,
  },
];

describe('marching cubes tables', () => {
  it('have no triangles for the empty and full cube and at most 10 for any case', () => {
    expect(TRI_OFFSET[1] - TRI_OFFSET[0]).toBe(0);
    expect(TRI_OFFSET[256] - TRI_OFFSET[255]).toBe(0);
    for (let c = 0; c < 256; c++) expect((TRI_OFFSET[c + 1] - TRI_OFFSET[c]) / 3).toBeLessThanOrEqual(10);
    // one inside corner -> one triangle through its three edges
    expect(TRI_OFFSET[2] - TRI_OFFSET[1]).toBe(3);
    expect([...TRI_EDGES.subarray(TRI_OFFSET[1], TRI_OFFSET[2])].sort()).toEqual([0, 4, 8]);
  });
});

describe.each(shapes)('marching cubes on $name at 256³', (shape) => {
  const field = decodeVoxels(shape.features());
  const raw = marchingCubes(field);
  const { mesh, stats } = cleanupMesh(raw);

  it('the raw surface (outer + inner band shell) is a closed, consistently oriented 2-manifold', () => {
    expectClosedOrientedManifold(raw.indices);
  });

  it('clean-up removes exactly the inner shell of the sparse band and keeps a closed manifold', () => {
    // Euler characteristic: sphere 2, torus 0
    expectInnerShellRemoved(mesh, stats, shape.name.startsWith('sphere') ? 2 : 0);
  });

  it('has outward normals and area/volume within 1% of analytic', () => {
    const vol = signedVolume(mesh.positions, mesh.indices);
    expect(vol).toBeGreaterThan(0);
    expect(Math.abs(vol / shape.volume - 1)).toBeLessThan(0.01);
    expect(Math.abs(surfaceArea(mesh.positions, mesh.indices) / shape.area - 1)).toBeLessThan(0.01);
  });

  it('interpolates colours as sigmoid of the corner logits', () => {
    let maxErr = 0;
    for (let v = 0; v < mesh.positions.length / 3; v += 97) {
      for (let k = 0; k < 3; k++) {
        const want = 1 / (1 + Math.exp(-4 * mesh.positions[3 * v + k]));
        maxErr = Math.max(maxErr, Math.abs(mesh.colors[3 * v + k] - want));
      }
    }
    // linear interpolation of sigmoid along one voxel edge: error ≪ 1/256
    expect(maxErr).toBeLessThan(2e-3);
  });

  it('async variant yields the same mesh', async () => {
    const progress: number[] = [];
    const m = await marchingCubesAsync(field, { chunkSize: 5000, onProgress: (d) => progress.push(d) });
    expect(progress.length).toBeGreaterThan(2);
    // byte comparison: vitest's deep equality is very slow on large typed arrays
    const same = (a: ArrayBufferView, b: ArrayBufferView) =>
      Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
    expect(same(m.indices, raw.indices)).toBe(true);
    expect(same(m.positions, raw.positions)).toBe(true);
    expect(same(m.colors, raw.colors)).toBe(true);
  });
});

describe('decode-voxels', () => {
  it('applies the −1/res bias, averages shared corners and defaults untouched vertices', () => {
    // two voxels side by side along x share 4 vertices
    const C = 101;
    const feats = new Float32Array(2 * C);
    for (let c = 0; c < 8; c++) {
      feats[c] = 0.5;
      feats[C + c] = -0.5;
      feats[8 + 3 * c] = 1; // deform x of voxel 0
    }
    const field = decodeVoxels({ resolution: 256, count: 2, channels: C, coords: Int32Array.from([0, 10, 10, 10, 0, 11, 10, 10]), feats });
    expect(field.count).toBe(12);
    const slot = (i: number, j: number, k: number) => field.index.get((i * 257 + j) * 257 + k);
    expect(field.sdf[slot(10, 10, 10)]).toBeCloseTo(0.5 - 1 / 256, 6);
    expect(field.sdf[slot(11, 10, 10)]).toBeCloseTo(0 - 1 / 256, 6); // mean of 0.5 and −0.5
    expect(field.sdf[slot(12, 10, 10)]).toBeCloseTo(-0.5 - 1 / 256, 6);
    const shared = slot(11, 11, 11);
    expect(field.positions[3 * shared]).toBeCloseTo(11 / 256 - 0.5 + ((1 - 1e-8) / 512) * Math.tanh(0.5), 7);
    expect(field.colors[3 * shared]).toBeCloseTo(0.5, 7);
    expect(slot(13, 10, 10)).toBe(-1);
  });

  it('rejects wrong channel counts and out-of-range coordinates with the field name', () => {
    expect(() => decodeVoxels({ resolution: 256, count: 1, channels: 100, coords: new Int32Array(4), feats: new Float32Array(100) })).toThrow(/channels must be 101/);
    expect(() => decodeVoxels({ resolution: 256, count: 1, channels: 101, coords: Int32Array.from([0, 256, 0, 0]), feats: new Float32Array(101) })).toThrow(/outside \[0, 255\]/);
  });
});
