// Starts bench/full-size-e2e.ts in a process of its own (its wasm heap and RSS are then the
// generation's alone) with a fixed surface-like voxel set written to `coordsFile`.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellCoordsOfSize } from '../test/helpers/converted-graph-cases.ts';
import type { E2eResult } from './full-size-e2e.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GIB = 1024 ** 3;

export async function runFullSizeE2e(modelDir: string, coordsFile: string, opts: { voxels: number; steps: number; log?: (l: string) => void }): Promise<E2eResult> {
  const s = shellCoordsOfSize(64, opts.voxels);
  writeFileSync(coordsFile, JSON.stringify({ coords: Array.from(s.coords) }));
  opts.log?.(`full-size generation: ${s.n} fixed voxels, ${opts.steps}+${opts.steps} steps ...`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'full-size-e2e.ts'), modelDir, coordsFile, String(opts.steps)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      for (const l of String(d).split('\n')) if (l.trim() && !/npm warn/.test(l)) opts.log?.(`  ${l}`);
    });
    child.on('close', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) return resolve(JSON.parse(line) as E2eResult);
      resolve({ voxels: s.n, timings: {}, glbBytes: 0, triangles: 0, validatorErrors: -1, heapBytes: 0, rssBytes: 0, error: `process ${signal ?? `exit ${code}`}: ${err.trim().split('\n').slice(-2).join(' | ').slice(0, 300)}` });
    });
  });
}

export function formatE2e(r: E2eResult): string {
  const order = ['preprocess', 'conditioning', 'sparse_structure', 'sparse_decode', 'structured_latent', 'mesh_decode', 'glb', 'total'];
  const stages = order.filter((k) => r.timings[k] !== undefined).map((k) => `${k} ${r.timings[k].toFixed(1)} s`);
  return [
    `voxels ${r.voxels}; ${stages.join(', ')}`,
    `GLB ${(r.glbBytes / 1e6).toFixed(2)} MB, ${r.triangles} triangles, validator errors ${r.validatorErrors}; peak wasm heap ${(r.heapBytes / GIB).toFixed(2)} GiB, peak RSS ${(r.rssBytes / GIB).toFixed(2)} GiB`,
    ...(r.error ? [`FAILED: ${r.error}`] : []),
  ].join('\n');
}
