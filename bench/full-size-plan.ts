// The engine's memory plan (pipeline/memory-plan.ts, WASM backend) next to what the full-size
// graph checks measured: for each stage, planned weights + activations against the wasm heap
// high-water mark of the process that ran that stage's graph(s) at the same voxel count.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { memoryPlan } from '../src/engine/pipeline/memory-plan.ts';
import type { ManifestV1 } from '../src/models/manifest.ts';
import type { GraphRow } from './full-size-graph.ts';

const GIB = 1024 ** 3;
const STAGE_ROWS: Record<string, (label: string) => boolean> = {
  conditioning: (l) => l === 'dinov2',
  sparse_structure: (l) => l === 'ss_flow',
  sparse_decode: (l) => l === 'ss_decoder',
  structured_latent: (l) => l.startsWith('slat_flow @16000'),
  mesh_decode: (l) => l.startsWith('mesh ') && l.endsWith('@16000'),
  gaussian_decode: (l) => l.startsWith('slat_decoder_gs @16000'),
};

export interface PlanCheck {
  stage: string;
  plannedBytes: number;
  measuredBytes: number;
  /** planned / measured − 1 */
  error: number;
}

export function planVsMeasured(modelDir: string, rows: GraphRow[], voxels: number): PlanCheck[] {
  const manifest = JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8')) as ManifestV1;
  const plan = memoryPlan(manifest, voxels, 1, 'wasm');
  const out: PlanCheck[] = [];
  for (const s of plan.stages) {
    const match = STAGE_ROWS[s.stage];
    const measured = Math.max(0, ...rows.filter((r) => match?.(r.label) && !r.error).map((r) => r.heapBytes));
    if (!measured) continue;
    out.push({ stage: s.stage, plannedBytes: s.peakBytes, measuredBytes: measured, error: s.peakBytes / measured - 1 });
  }
  return out;
}

export function formatPlanVsMeasured(modelDir: string, rows: GraphRow[], voxels: number): string {
  const checks = planVsMeasured(modelDir, rows, voxels);
  const lines = checks.map((c) => `${c.stage.padEnd(18)} planned ${(c.plannedBytes / GIB).toFixed(2)} GiB  measured heap ${(c.measuredBytes / GIB).toFixed(2)} GiB  ${(c.error * 100).toFixed(0).padStart(4)}%${Math.abs(c.error) > 0.25 ? '  (outside ±25%)' : ''}`);
  return lines.join('\n');
}
