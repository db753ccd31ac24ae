// One whole generation at full size in Node (WASM EP): the released layout with random weights,
// `steps`+`steps` sampling steps, stage-1 occupancy fixed to a voxel file (a bench seam:
// pipeline/fixed-occupancy.ts) so stage 2 and the decoders see a real-size voxel set, then the
// main-thread geometry to a GLB that the Khronos validator checks. Prints timings per stage as
// one JSON line (bench/full-size.ts runs it in a process of its own).
//   tsx bench/full-size-e2e.ts <model folder> <coords.json: {"coords": [b,x,y,z,...]}> [steps]
import { readFileSync } from 'node:fs';
// @ts-expect-error gltf-validator ships no type declarations
import validator from 'gltf-validator';
import { PNG } from 'pngjs';
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

const memories: WebAssembly.Memory[] = [];
const NativeMemory = WebAssembly.Memory;
function TrackedMemory(this: unknown, d: WebAssembly.MemoryDescriptor) {
  const m = new NativeMemory(d);
  memories.push(m);
  return m;
}
TrackedMemory.prototype = NativeMemory.prototype;
(WebAssembly as { Memory: unknown }).Memory = TrackedMemory;

/** An object on a transparent background (no background model needed). */
function testImage(): string {
  const w = 256;
  const p = new PNG({ width: w, height: w });
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) {
    const inside = (x - w / 2) ** 2 + (y - w / 2) ** 2 < (w * 0.35) ** 2;
    p.data.set([(x * 3) & 255, (y * 5) & 255, 140, inside ? 255 : 0], (y * w + x) * 4);
  }
  return `data:image/png;base64,${PNG.sync.write(p).toString('base64')}`;
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
        { images: [testImage()], seed: 1, ss_guidance_strength: 7.5, ss_sampling_steps: steps, slat_guidance_strength: 3, slat_sampling_steps: steps, multiimage_algo: 'stochastic', mesh_simplify: 0.95, texture_size: 1024 },
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
  result.heapBytes = Math.max(0, ...memories.map((m) => m.buffer.byteLength));
  result.rssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
