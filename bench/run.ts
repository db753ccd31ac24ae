// npm run bench [-- --full-size [--full-size-dir <converted folder>] [--steps N] [--shapes-only]] [--no-webgpu] [--gpu]
// Every benchmark in one run, variants side by side. Speed and memory live here, never in timed
// test assertions.
//   --full-size       converts random weights with the released shapes, then creates and runs
//                     every full-size graph at real shapes (WASM in Node; bench/full-size.ts), one
//                     whole generation at full size (bench/full-size-e2e.ts) and prints the
//                     memory plan against the measurements; exits 1 when a graph fails or crosses
//                     a browser limit.
//   --full-size-dir   reuse a folder converted earlier (skips the conversion).
//   --shapes-only     only the largest tensor of every graph at real shapes (no ORT run).
//   --gpu             the full-size generation in Chromium on a real GPU adapter (bench/gpu.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchConvert, formatConvertBench } from './convert.ts';
import { benchEngine, formatEngineBench } from './engine.ts';
import { benchGeometry } from './geometry.ts';
import { benchFullSize, formatFullSize } from './full-size.ts';
import { runFullSizeE2e, formatE2e } from './full-size-e2e-run.ts';
import { formatPlanVsMeasured } from './full-size-plan.ts';

const args = process.argv.slice(2);
const log = (l: string) => process.stderr.write(`${l}\n`);
const flag = (name: string) => args.includes(name);
const value = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

let failed = false;

if (flag('--gpu')) {
  const { benchGpu } = await import('./gpu.ts');
  failed = !(await benchGpu({ fullSizeDir: value('--full-size-dir'), log }));
  process.exit(failed ? 1 : 0);
}

if (flag('--full-size')) {
  const reuse = value('--full-size-dir');
  const work = reuse ? '' : mkdtempSync(path.join(tmpdir(), 'trellis-bench-full-'));
  try {
    let modelDir = reuse ?? '';
    if (!reuse) {
      console.log('== full-size conversion');
      const c = await benchConvert({ fullSize: true, keepFullSizeIn: work, log });
      console.log(formatConvertBench(c));
      modelDir = c.fullSizeDir!;
    }
    console.log('\n== full-size graphs: largest tensor at real shapes (from the graphs, no run)');
    const { fullSizeShapes, FULL_SIZE_CASES } = await import('./full-size.ts');
    // The decoders also at 30k voxels: no tensor may cross 1 GiB up to there, run or not.
    const shapes = await fullSizeShapes(modelDir, [...FULL_SIZE_CASES, { case: 'slat_decoder_mesh', voxels: 30_000 }, { case: 'slat_decoder_gs', voxels: 30_000 }]);
    for (const r of shapes) console.log(`${r.label.padEnd(24)} ${r.note.padEnd(28)} ${(r.largest.bytes / 1024 ** 2).toFixed(0).padStart(6)} MiB  ${r.largest.kind} [${r.largest.dims.join(',')}] ${r.largest.name}`);
    const worst = Math.max(...shapes.map((r) => r.largest.bytes));
    console.log(`largest tensor of any full-size graph: ${(worst / 1024 ** 2).toFixed(0)} MiB (limit 1024 MiB)`);
    failed ||= worst > 1024 ** 3;
    if (flag('--shapes-only')) process.exit(failed ? 1 : 0);
    console.log('\n== full-size graphs (WASM EP in Node, one process per graph, one thread)');
    const graphs = await benchFullSize(modelDir, { log });
    console.log(formatFullSize(graphs));
    failed ||= !graphs.ok;
    console.log('\n== full-size generation (WASM EP in Node, fixed stage-1 occupancy)');
    const coordsFile = path.join(reuse ? tmpdir() : work, 'fixed-coords-16k.json');
    const e2e = await runFullSizeE2e(modelDir, coordsFile, { voxels: 16_000, steps: Number(value('--steps') ?? 1), log });
    console.log(formatE2e(e2e));
    failed ||= Boolean(e2e.error) || e2e.validatorErrors !== 0;
    console.log('\n== memory plan vs measured (16k voxels)');
    console.log(formatPlanVsMeasured(modelDir, graphs.rows, 16_000));
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
  if (failed) console.log('\nfull-size: FAILED (see the rows above)');
  process.exit(failed ? 1 : 0);
}

console.log('== converter');
console.log(formatConvertBench(await benchConvert({ log })));

console.log('\n== engine (per-stage seconds; WASM in Node vs WebGPU in headless Chromium)');
console.log(formatEngineBench(await benchEngine({ webgpu: !flag('--no-webgpu'), log })));

console.log('\n== geometry');
const rows = await benchGeometry();
const w = Math.max(...rows.map((r) => r.name.length));
for (const r of rows) console.log(`${r.name.padEnd(w)}  ${r.ms.toFixed(0).padStart(8)} ms${r.note ? `  ${r.note}` : ''}`);
