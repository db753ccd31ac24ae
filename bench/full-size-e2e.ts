// One whole generation at full size in Node (WASM EP): the released layout with random weights,
// `steps`+`steps` sampling steps, stage-1 occupancy fixed to a voxel file (a bench seam:
// pipeline/fixed-occupancy.ts) so stage 2 and the decoders see a real-size voxel set, then the
// main-thread geometry to a GLB that the Khronos validator checks. Prints timings per stage as
// one JSON line (bench/full-size.ts runs it in a process of its own).
//   tsx bench/full-size-e2e.ts <model folder> <coords.json: {"coords": [b,x,y,z,...]}> [steps]
// First: the heap hook must be in place before the engine loads ORT.
import { peakWasmHeapBytes } from './wasm-heap.ts';
import { readFileSync } from 'node:fs';
// @ts-expect-error gltf-validator ships no type declarations
import validator from 'gltf-validator';
import { transparentDiscPng } from './bench-image.ts';
import { createNodeEngine } from '../src/engine/node-engine.ts';
import { fixedOccupancy } from '../src/engine/pipeline/fixed-occupancy.ts';
import { buildGlb } from '../src/geometry/index.ts';

export interface E2eResult {
  voxels: number;
  timings: Record<string, number>;
  glbBytes: number;
  triangles: number;
  validatorErrors: number;
  heapBytes: number;
  rssBytes: number;
  error?: string;
}


async function main(): Promise<void> {
  const [modelDir, coordsFile, stepsArg] = process.argv.slice(2);
  const coords = Int32Array.from((JSON.parse(readFileSync(coordsFile, 'utf8')) as { coords: number[] }).coords);
  const steps = Number(stepsArg ?? 1);
  const result: E2eResult = { voxels: coords.length / 4, timings: {}, glbBytes: 0, triangles: 0, validatorErrors: -1, heapBytes: 0, rssBytes: 0 };
  try {
    const { engine } = await createNodeEngine(modelDir, { releasePolicy: 'per-stage', wrapProvider: (p) => fixedOccupancy(p, coords) }, (e) => {
      if (e.stage !== 'download') process.stderr.write(`${e.stage}${e.steps ? ` ${e.step}/${e.steps}` : ''}${e.message ? ` ${e.message}` : ''}\n`);
    });
    try {
      const out = await engine.generate(
        { images: [transparentDiscPng()], seed: 1, ss_guidance_strength: 7.5, ss_sampling_steps: steps, slat_guidance_strength: 3, slat_sampling_steps: steps, multiimage_algo: 'stochastic', mesh_simplify: 0.95, texture_size: 1024 },
        undefined,
        new AbortController().signal,
      );
      result.timings = { ...out.timings };
      const t0 = performance.now();
      const glb = await buildGlb(out, { meshSimplify: 0.95, textureSize: 1024 });
      result.timings.glb = (performance.now() - t0) / 1000;
      result.glbBytes = glb.glb.byteLength;
      result.triangles = glb.stats.simplifyFacesOut ?? glb.stats.faces ?? 0;
      const report = await validator.validateBytes(glb.glb);
      result.validatorErrors = report.issues.numErrors;
    } finally {
      await engine.dispose();
    }
  } catch (error) {
    result.error = (error as Error).message.split('\n')[0].slice(0, 400);
  }
  result.heapBytes = peakWasmHeapBytes();
  result.rssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
