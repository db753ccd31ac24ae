import { describe, expect, it } from 'vitest';
import { cleanupMesh } from '../../src/geometry/cleanup.ts';
import { decodeVoxels } from '../../src/geometry/decode-voxels.ts';
import { dualMarchingCubes, dualMarchingCubesAsync } from '../../src/geometry/dual-marching-cubes.ts';
import { AMBIGUOUS_FACE, CUBE_EDGES, EDGE_PATCH, PATCH_COUNT } from '../../src/geometry/dual-tables.ts';
import { activatedCubeWeights, cubeWeights } from '../../src/geometry/dual-weights.ts';
import { manifoldReport, signedVolume, surfaceArea } from '../../src/geometry/mesh-measure.ts';
import { sdfToVoxelFeatures, sphereSdf, torusSdf } from '../../src/geometry/sdf-features.ts';
import type { VoxelFeatures } from '../../src/engine/protocol.ts';
import { expectClosedOrientedManifold, expectInnerShellRemoved } from './geometry-surface-checks.ts';

const colorLogits = (x: number, y: number, z: number): [number, number, number] => [4 * x, 4 * y, 4 * z];

const patchesOf = (c: number): number[][] => {
  const groups: number[][] = [];
  for (let e = 0; e < 12; e++) {
    const p = EDGE_PATCH[c * 12 + e];
    if (p >= 0) (groups[p] ??= []).push(e);
  }
  return groups;
};

describe('dual tables (derived from the face rule)', () => {
  it('give one patch through the three edges of a lone inside corner', () => {
    expect(PATCH_COUNT[0]).toBe(0);
    expect(PATCH_COUNT[255]).toBe(0);
    expect(patchesOf(1)).toEqual([[0, 3, 8]]); // corner 0: edges (0,1) (0,4) (2,0)
    expect(patchesOf(254)).toEqual([[0, 3, 8]]);
  });

  it('separate two inside corners that are diagonal on a face and join two outside ones', () => {
    // corners 0 and 3 inside (diagonal on the z = 0 face): two patches
    expect(patchesOf(0b1001).map((g) => g.sort((a, b) => a - b))).toEqual([[0, 3, 8], [4, 5, 9]]);
    // the complement: one patch over the same six edges
    expect(patchesOf(255 - 0b1001)).toEqual([[0, 3, 4, 5, 8, 9]]);
  });

  it('assign every crossing edge to a patch and only crossing edges', () => {
    for (let c = 0; c < 256; c++) {
      for (let e = 0; e < 12; e++) {
        const [a, b] = CUBE_EDGES[e];
        const crossing = ((c >> a) & 1) !== ((c >> b) & 1);
        expect(EDGE_PATCH[c * 12 + e] >= 0, `case ${c} edge ${e}`).toBe(crossing);
      }
      expect(PATCH_COUNT[c]).toBeLessThanOrEqual(4);
    }
  });

  it('mark the 36 C16/C19 cases, each on its only ambiguous face, with a two-patch complement', () => {
    const marked = [...AMBIGUOUS_FACE.keys()].filter((c) => AMBIGUOUS_FACE[c] >= 0);
    expect(marked.length).toBe(36);
    for (const c of marked) {
      expect(PATCH_COUNT[c]).toBe(1);
      expect(PATCH_COUNT[255 - c]).toBe(2);
      const axis = AMBIGUOUS_FACE[c] >> 1;
      const side = AMBIGUOUS_FACE[c] & 1;
      const face = [0, 1, 2, 3, 4, 5, 6, 7].filter((q) => ((q >> axis) & 1) === side);
      const ins = face.map((q) => (c >> q) & 1);
      // two inside, two outside, the inside ones not sharing an edge
      expect(ins.reduce((s, x) => s + x, 0)).toBe(2);
      const [p, q] = face.filter((_, i) => ins[i]);
      expect([1, 2, 4].includes(p ^ q)).toBe(false);
    }
  });
});

describe('FlexiCubes weight activations', () => {
  it('use tanh·0.99+1 for β/α, sigmoid·0.99+0.005 for γ, and raw 0 for cubes that are not active voxels', () => {
    const C = 101;
    const feats = new Float32Array(C);
    for (let k = 0; k < 21; k++) feats[32 + k] = (k - 10) / 4;
    const w = cubeWeights({ resolution: 8, count: 1, channels: C, coords: Int32Array.from([0, 1, 2, 3]), feats });
    const out = new Float64Array(21);
    activatedCubeWeights(w, (1 * 8 + 2) * 8 + 3, out);
    for (let k = 0; k < 20; k++) expect(out[k]).toBeCloseTo(Math.tanh((k - 10) / 4) * 0.99 + 1, 6);
    expect(out[20]).toBeCloseTo(0.99 / (1 + Math.exp(-2.5)) + 0.005, 6);
    activatedCubeWeights(w, 0, out);
    expect([...out.subarray(0, 20)].every((x) => x === 1)).toBe(true);
    expect(out[20]).toBeCloseTo(0.5, 12);
  });
});

const shapes = [
  {
    name: 'sphere r=0.35',
    features: () => sdfToVoxelFeatures(sphereSdf(0.35), { colorLogits, bounds: [-0.36, -0.36, -0.36, 0.36, 0.36, 0.36] }),
    area: 4 * Math.PI * 0.35 ** 2,
    volume: (4 / 3) * Math.PI * 0.35 ** 3,
    euler: 2,
  },
  {
    name: 'torus R=0.3 r=0.12',
    features: () => sdfToVoxelFeatures(torusSdf(0.3, 0.12), { colorLogits, bounds: [-0.43, -0.43, -0.13, 0.43, 0.43, 0.13] }),
    area: 4 * Math.PI ** 2 * 0.3 * 0.12,
    volume: 2 * Math.PI ** 2 * 0.3 * 0.12 ** 2,
    euler: 0,
  },
];

describe.each(shapes)('dual marching cubes on $name at 256³', (shape) => {
  const features = shape.features();
  const field = decodeVoxels(features);
  const weights = cubeWeights(features);
  const raw = dualMarchingCubes(field, weights);
  const { mesh, stats } = cleanupMesh(raw);

  it('the raw surface (outer + inner band shell) is a closed, consistently oriented 2-manifold', () => {
    expectClosedOrientedManifold(raw.indices);
    expect(raw.unreferencedVertices).toBe(0);
  });

  it('clean-up removes exactly the inner shell and keeps a closed manifold of the right genus', () => {
    expectInnerShellRemoved(mesh, stats, shape.euler);
  });

  it('has outward normals and area/volume within 1% of analytic', () => {
    const vol = signedVolume(mesh.positions, mesh.indices);
    expect(vol).toBeGreaterThan(0);
    const area = surfaceArea(mesh.positions, mesh.indices);
    console.log(`${shape.name}: dual area ${(area / shape.area - 1).toExponential(2)}, volume ${(vol / shape.volume - 1).toExponential(2)} (relative error)`);
    expect(Math.abs(vol / shape.volume - 1)).toBeLessThan(0.01);
    expect(Math.abs(area / shape.area - 1)).toBeLessThan(0.01);
  });

  it('has vertices on the surface (|sdf| well below a voxel) and colours = sigmoid of the logits there', () => {
    const sdf = shape.name.startsWith('sphere') ? sphereSdf(0.35) : torusSdf(0.3, 0.12);
    let maxDist = 0;
    let maxErr = 0;
    for (let v = 0; v < mesh.positions.length / 3; v += 7) {
      const [x, y, z] = [mesh.positions[3 * v], mesh.positions[3 * v + 1], mesh.positions[3 * v + 2]];
      maxDist = Math.max(maxDist, Math.abs(sdf(x, y, z)));
      for (let k = 0; k < 3; k++) {
        const want = 1 / (1 + Math.exp(-4 * mesh.positions[3 * v + k]));
        maxErr = Math.max(maxErr, Math.abs(mesh.colors[3 * v + k] - want));
      }
    }
    expect(maxDist).toBeLessThan(0.1 / 256);
    expect(maxErr).toBeLessThan(2e-3);
  });

  it('async variant yields the same mesh', async () => {
    const passes = new Set<string>();
    let calls = 0;
    const m = await dualMarchingCubesAsync(field, weights, {
      chunkSize: 5000,
      onProgress: (_d, _t, pass) => {
        calls++;
        passes.add(pass);
      },
    });
    expect(calls).toBeGreaterThan(4);
    expect([...passes].sort()).toEqual(['faces', 'vertices']);
    const same = (a: ArrayBufferView, b: ArrayBufferView) =>
      Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
    expect(same(m.indices, raw.indices)).toBe(true);
    expect(same(m.positions, raw.positions)).toBe(true);
    expect(same(m.colors, raw.colors)).toBe(true);
  });
});

/** Two active voxels side by side along x with the given corner sdf signs (−0.5 inside, +0.5 outside). */
function twoVoxels(caseA: number, caseB: number): VoxelFeatures {
  const C = 101;
  const feats = new Float32Array(2 * C);
  for (let c = 0; c < 8; c++) {
    feats[c] = (caseA >> c) & 1 ? -0.5 : 0.5;
    feats[C + c] = (caseB >> c) & 1 ? -0.5 : 0.5;
  }
  return { resolution: 16, count: 2, channels: C, coords: Int32Array.from([0, 6, 6, 6, 0, 7, 6, 6]), feats };
}

describe('C16/C19 ambiguity check', () => {
  // Pairs of cases whose shared face (x = 1 of A, x = 0 of B) has the same signs.
  const shared = (a: number, b: number) => [0, 2, 4, 6].every((q) => ((a >> (q + 1)) & 1) === ((b >> q) & 1));
  const plusX = [...Array(256).keys()].filter((c) => AMBIGUOUS_FACE[c] === 1);
  const minusX = [...Array(256).keys()].filter((c) => AMBIGUOUS_FACE[c] === 0);
  const pairs = plusX.flatMap((a) => minusX.filter((b) => shared(a, b)).map((b) => [a, b] as const));

  it('finds pairs of C16/C19 cubes facing each other', () => {
    expect(pairs.length).toBeGreaterThan(0);
  });

  it.each(pairs)('cases %i | %i: both cubes are inverted to the split grouping and the surface stays a closed manifold', (a, b) => {
    const f = twoVoxels(a, b);
    const m = dualMarchingCubes(decodeVoxels(f), cubeWeights(f));
    // Vertex count = Σ patches over all surface cubes; the two ambiguous cubes contribute
    // PATCH_COUNT[255 − case] = 2 each instead of 1.
    const field = decodeVoxels(f);
    let expected = 0;
    for (let i = 4; i < 10; i++)
      for (let j = 4; j < 9; j++)
        for (let k = 4; k < 9; k++) {
          let c = 0;
          for (let q = 0; q < 8; q++) {
            const s = field.index.get(((i + (q & 1)) * 17 + (j + ((q >> 1) & 1))) * 17 + (k + ((q >> 2) & 1)));
            if (s >= 0 && field.sdf[s] < 0) c |= 1 << q;
          }
          const isA = i === 6 && j === 6 && k === 6;
          const isB = i === 7 && j === 6 && k === 6;
          expected += PATCH_COUNT[isA || isB ? 255 - c : c];
        }
    expect(m.positions.length / 3).toBe(expected);
    const r = manifoldReport(m.indices);
    expect(r.boundaryEdges + r.nonManifoldEdges + r.misorientedEdges).toBe(0);
    expect(signedVolume(m.positions, m.indices)).toBeGreaterThan(0);
  });
});
