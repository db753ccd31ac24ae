import { describe, expect, it } from 'vitest';
import { simplifyMesh } from '../../src/geometry/simplify.ts';
import { manifoldReport, signedVolume } from '../../src/geometry/mesh-measure.ts';
import type { ColoredMesh } from '../../src/geometry/types.ts';

/** Closed UV sphere with radial bumps, nLat·nLon·2 − 2·nLon faces. */
function bumpySphere(nLat: number, nLon: number): ColoredMesh {
  const V = (nLat - 1) * nLon + 2;
  const positions = new Float32Array(V * 3);
  const colors = new Float32Array(V * 3);
  const put = (v: number, th: number, ph: number) => {
    const r = 0.35 * (1 + 0.05 * Math.sin(8 * th) * Math.sin(8 * ph));
    positions[3 * v] = r * Math.sin(th) * Math.cos(ph);
    positions[3 * v + 1] = r * Math.sin(th) * Math.sin(ph);
    positions[3 * v + 2] = r * Math.cos(th);
    for (let k = 0; k < 3; k++) colors[3 * v + k] = 0.5 + positions[3 * v + k];
  };
  put(0, 0, 0);
  put(V - 1, Math.PI, 0);
  for (let i = 1; i < nLat; i++) for (let j = 0; j < nLon; j++) put(1 + (i - 1) * nLon + j, (i * Math.PI) / nLat, (j * 2 * Math.PI) / nLon);
  const at = (i: number, j: number) => 1 + (i - 1) * nLon + (j % nLon);
  const idx: number[] = [];
  for (let j = 0; j < nLon; j++) {
    idx.push(0, at(1, j), at(1, j + 1));
    idx.push(V - 1, at(nLat - 1, j + 1), at(nLat - 1, j));
  }
  for (let i = 1; i < nLat - 1; i++) {
    for (let j = 0; j < nLon; j++) idx.push(at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j), at(i + 1, j + 1), at(i, j + 1));
  }
  return { positions, colors, indices: Uint32Array.from(idx) };
}

describe('simplify (meshoptimizer) on a ~500k-face bumpy sphere', () => {
  const mesh = bumpySphere(500, 500);
  const F = mesh.indices.length / 3;

  it('input is a closed outward-oriented manifold with ~500k faces', () => {
    expect(F).toBe(499_000);
    const r = manifoldReport(mesh.indices);
    expect(r.boundaryEdges + r.nonManifoldEdges + r.misorientedEdges).toBe(0);
    expect(signedVolume(mesh.positions, mesh.indices)).toBeGreaterThan(0);
  });

  it.each([0.9, 0.95, 0.98])('mesh_simplify %f lands within 5 percent of round((1 − s)·F) faces', async (s) => {
    const { mesh: out, stats } = await simplifyMesh(mesh, s);
    const target = Math.round((1 - s) * F);
    expect(stats.facesTarget).toBe(target);
    expect(out.indices.length / 3).toBe(stats.facesOut);
    expect(Math.abs(stats.facesOut / target - 1)).toBeLessThanOrEqual(0.05);
    expect(stats.sloppyFallback).toBe(0);
    // compacted, still a closed oriented surface enclosing about the same volume
    let maxIndex = 0;
    for (const i of out.indices) maxIndex = Math.max(maxIndex, i);
    expect(maxIndex).toBe(out.positions.length / 3 - 1);
    const v0 = signedVolume(mesh.positions, mesh.indices);
    expect(Math.abs(signedVolume(out.positions, out.indices) / v0 - 1)).toBeLessThan(0.02);
  });

  it('rejects mesh_simplify outside [0, 1)', async () => {
    await expect(simplifyMesh(mesh, 1)).rejects.toThrow(/mesh_simplify must be in \[0, 1\)/);
  });
});
