// trellis-web generate <image> [--multi img2 ...] --models public/models/<id> --out model.glb
// Runs the engine in Node (ORT wasm) and the geometry path, writes the GLB.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { glbMeshCounts } from './glb-info.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './args.ts';
import { checkInput, randomSeed } from '../api/schema.ts';
import { ENDPOINT_MULTI, ENDPOINT_SINGLE } from '../api/types.ts';
import { createNodeEngine } from '../engine/node-engine.ts';
import { EngineError } from '../engine/errors.ts';
import type { EngineRequest, ProgressEvent } from '../engine/protocol.ts';
import type { ImageLimits } from '../engine/pipeline/image-fetch.ts';

export const usage = `usage: trellis-web generate <image> [--multi <image> ...] --models <model folder> --out <file.glb>
  [--seed N] [--ss_guidance_strength 7.5] [--ss_sampling_steps 12] [--slat_guidance_strength 3]
  [--slat_sampling_steps 12] [--multiimage_algo stochastic|multidiffusion] [--mesh_simplify 0.95]
  [--texture_size 512|1024|2048] [--use-image-as-is] [--release keep|per-stage|auto] [--quiet]
  [--fetch-timeout 30] [--max-image-mb 32]

Images are PNG or JPEG files (or http(s)/data: URLs). With --multi the request goes to
fal-ai/trellis/multi (all images condition one object). An opaque image needs the model set's
background_removal component, or --use-image-as-is to treat the whole image as the object.
Image URLs must arrive within --fetch-timeout seconds (default 30) and be at most --max-image-mb
MB (default 32); images may be at most 16384 px on a side. --seed is a decimal integer; only its
low 32 bits are used (seeds that differ by a multiple of 2^32 give the same model).`;

const NUMBER_FIELDS = ['seed', 'ss_guidance_strength', 'ss_sampling_steps', 'slat_guidance_strength', 'slat_sampling_steps', 'mesh_simplify'] as const;

async function imageUrl(arg: string): Promise<string> {
  if (/^(https?|data):/i.test(arg)) return arg;
  let bytes: Buffer;
  try {
    bytes = await readFile(arg);
  } catch (error) {
    throw new UsageError(`cannot read image ${arg}: ${(error as Error).message}`);
  }
  const mime = bytes[0] === 0x89 ? 'image/png' : bytes[0] === 0xff ? 'image/jpeg' : 'application/octet-stream';
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

/** Plain decimal only: Number() would also take "0x10", "0b1", " 1e3 " and "Infinity". */
const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function parseNumber(name: string, text: string): number {
  if (!DECIMAL.test(text)) throw new UsageError(`--${name} must be a decimal number (like 3 or 7.5), got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Checks --models and --out before anything is loaded, so a typo costs no generation. */
async function checkPaths(models: string, out: string): Promise<void> {
  const info = await stat(models).catch(() => null);
  if (!info) throw new UsageError(`--models ${models} does not exist; pass a model folder holding manifest.json (e.g. public/models/tiny-random)`);
  if (info.isFile() && !models.endsWith('.json')) throw new UsageError(`--models ${models} is a file; pass the model folder (holding manifest.json) or its manifest.json`);
  const target = await stat(out).catch(() => null);
  if (target?.isDirectory()) throw new UsageError(`--out ${out} is a directory; pass a file name such as ${path.join(out, 'model.glb')}`);
  const dir = path.dirname(path.resolve(out));
  const parent = await stat(dir).catch(() => null);
  if (!parent?.isDirectory()) throw new UsageError(`--out ${out}: the directory ${dir} does not exist; create it first`);
}

function positive(name: string, text: string, max: number): number {
  const n = parseNumber(name, text);
  if (!(n > 0 && n <= max)) throw new UsageError(`--${name} must be a number above 0 and at most ${max}, got ${text}`);
  return n;
}

/** A one-line progress bar on stderr (TTY) or one line per stage change (pipes). */
function progressPrinter(quiet: boolean): (e: ProgressEvent) => void {
  const tty = Boolean(process.stderr.isTTY);
  let lastStage = '';
  return (e) => {
    if (quiet) return;
    const frac = e.steps ? (e.step ?? 0) / e.steps : e.total ? (e.loaded ?? 0) / e.total : undefined;
    const bar = frac === undefined ? '' : `[${'#'.repeat(Math.round(frac * 20)).padEnd(20, '.')}] `;
    const detail = e.steps ? `${e.step}/${e.steps} ` : e.total ? (e.stage === 'download' ? `${((e.loaded ?? 0) / 1e6).toFixed(1)}/${(e.total / 1e6).toFixed(1)} MB ` : `${e.loaded ?? 0}/${e.total} `) : '';
    const line = `${e.stage.padEnd(18)} ${bar}${detail}${e.elapsed !== undefined ? `${e.elapsed.toFixed(1)}s` : ''}${e.message ? `  ${e.message}` : ''}`;
    if (tty) {
      process.stderr.write(`\r\x1b[K${line}`);
      if (e.message) process.stderr.write('\n');
    } else if (e.stage !== lastStage || e.message || (e.steps && e.step === e.steps)) {
      process.stderr.write(`${line}\n`);
    }
    lastStage = e.stage;
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      multi: { type: 'string', multiple: true },
      models: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      ss_guidance_strength: { type: 'string' },
      ss_sampling_steps: { type: 'string' },
      slat_guidance_strength: { type: 'string' },
      slat_sampling_steps: { type: 'string' },
      multiimage_algo: { type: 'string' },
      mesh_simplify: { type: 'string' },
      texture_size: { type: 'string' },
      'use-image-as-is': { type: 'boolean', default: false },
      'fetch-timeout': { type: 'string' },
      'max-image-mb': { type: 'string' },
      release: { type: 'string', default: 'auto' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError(`expected exactly one image argument, got ${positionals.length}`);
  if (!values.models) throw new UsageError('--models <model folder> is required (e.g. public/models/<id>)');
  if (!values.out) throw new UsageError('--out <file.glb> is required');
  if (!['auto', 'keep', 'per-stage'].includes(values.release!)) throw new UsageError(`--release must be auto, keep or per-stage, got ${values.release}`);
  const imageLimits: Partial<ImageLimits> = {};
  if (values['fetch-timeout'] !== undefined) imageLimits.fetchTimeoutMs = Math.max(1, Math.round(positive('fetch-timeout', values['fetch-timeout'], 3600) * 1000));
  if (values['max-image-mb'] !== undefined) imageLimits.maxImageBytes = Math.max(1, Math.round(positive('max-image-mb', values['max-image-mb'], 2000) * 1e6));
  await checkPaths(values.models, values.out);

  const images = [await imageUrl(positionals[0]), ...(await Promise.all((values.multi ?? []).map(imageUrl)))];
  const multi = images.length > 1 || values.multiimage_algo !== undefined;
  const raw: Record<string, unknown> = multi ? { image_urls: images } : { image_url: images[0] };
  for (const k of NUMBER_FIELDS) if (values[k] !== undefined) raw[k] = parseNumber(k, values[k]!);
  if (values.texture_size !== undefined) raw.texture_size = values.texture_size;
  if (values.multiimage_algo !== undefined) raw.multiimage_algo = values.multiimage_algo;
  const checked = checkInput(multi ? ENDPOINT_MULTI : ENDPOINT_SINGLE, raw);
  if (!checked.ok) throw new UsageError(checked.issues.map((i) => `${i.loc.slice(1).join('.')}: ${i.msg}`).join('\n'));
  const req = checked.value as Record<string, any>;
  const seed = req.seed ?? randomSeed();

  const onProgress = progressPrinter(values.quiet!);
  const t0 = performance.now();
  try {
    const { engine, info } = await createNodeEngine(values.models, { releasePolicy: values.release as 'auto', imageLimits }, onProgress);
    try {
      if (!values.quiet) process.stderr.write(`model ${info.id} (${info.dtype}, ${(info.bytes / 1e6).toFixed(1)} MB) on ${info.backend}; seed ${seed}\n`);
      const request: EngineRequest = {
        images,
        seed,
        ss_guidance_strength: req.ss_guidance_strength,
        ss_sampling_steps: req.ss_sampling_steps,
        slat_guidance_strength: req.slat_guidance_strength,
        slat_sampling_steps: req.slat_sampling_steps,
        multiimage_algo: req.multiimage_algo ?? 'stochastic',
        mesh_simplify: req.mesh_simplify,
        texture_size: req.texture_size,
        use_image_as_is: values['use-image-as-is'],
      };
      const output = await engine.generate(request, onProgress, new AbortController().signal);
      const { buildGlb } = await import('../geometry/index.ts');
      const { glb } = await buildGlb(output, { meshSimplify: req.mesh_simplify, textureSize: req.texture_size, onProgress });
      await writeFile(values.out, glb).catch((e: Error) => {
        throw new EngineError('BAD_REQUEST', `cannot write --out ${values.out}: ${e.message}`);
      });
      if (!values.quiet) {
        process.stderr.write('\n');
        const timings = Object.entries(output.timings).map(([k, v]) => `${k} ${v.toFixed(2)}s`).join(', ');
        // Counted from the GLB as written (after simplification), not from the pipeline's stages.
        const { triangles, vertices } = glbMeshCounts(glb);
        process.stderr.write(
          `wrote ${path.resolve(values.out)} (${glb.byteLength} bytes; ${triangles} triangles, ${vertices} vertices) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n  engine: ${timings}\n`,
        );
      }
      return EXIT_OK;
    } finally {
      await engine.dispose();
    }
  } catch (error) {
    if (error instanceof EngineError) {
      process.stderr.write(`\ntrellis-web generate: ${error.code}: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}
