// Surface checks shared by the marching cubes and dual marching cubes tests: both extract the
// sparse SDF band (an outer surface and an inner shell) and hand it to the same clean-up.
import { expect } from 'vitest';
import type { CleanupStats } from '../../src/geometry/cleanup.ts';
import { manifoldReport } from '../../src/geometry/mesh-measure.ts';
import type { ColoredMesh } from '../../src/geometry/types.ts';

/** Every edge used by exactly two faces, in opposite directions. */
export function expectClosedOrientedManifold(indices: Uint32Array): void {
  const r = manifoldReport(indices);
  expect(r.boundaryEdges).toBe(0);
  expect(r.nonManifoldEdges).toBe(0);
  expect(r.misorientedEdges).toBe(0);
}

/** Clean-up saw the two band shells, removed the inner one, and left a closed manifold of Euler characteristic `euler`. */
export function expectInnerShellRemoved(mesh: ColoredMesh, stats: CleanupStats, euler: number): void {
  expect(stats.components).toBe(2);
  expect(stats.innerShellsRemoved).toBe(1);
  const r = manifoldReport(mesh.indices);
  expect(r.boundaryEdges + r.nonManifoldEdges + r.misorientedEdges).toBe(0);
  const V = mesh.positions.length / 3;
  const F = mesh.indices.length / 3;
  expect(V - r.edges + F).toBe(euler);
}
