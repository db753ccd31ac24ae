// trellis-web convert --from <dir|hf:repo> --out public/models/<id> [--dtype fp16|fp32] ...
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { convertModel } from '../convert/convert-model.ts';
import { BACKGROUND_KINDS, type BackgroundKind } from '../convert/background-model.ts';
import { downloadHfFile, terminalProgress } from '../convert/hf-download.ts';
import { neededRepoFiles } from '../convert/trellis-repo.ts';
import { COMPONENT_NAMES, type ComponentName } from '../models/manifest.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './args.ts';

export const usage = `usage: trellis-web convert --from <dir | hf:<repo>> --out public/models/<id>
                          [--dinov2 <dir | hf:<repo>>]
                          [--background-model <dir | hf:<repo>> [--background-kind u2net|transformers]]
                          [--dtype fp16|fp32] [--components ss_flow,ss_decoder,...]
                          [--name <text>] [--cache <dir>] [--shard-mb <n>] [--attn-chunk <rows>]

  --from         a local copy of the TRELLIS model repo (pipeline.json + ckpts/), or hf:<repo>
                 (e.g. hf:microsoft/TRELLIS-image-large) to download it first (resumable;
                 HF_ENDPOINT and HF_TOKEN are honoured).
  --dinov2       DINOv2 ViT-L/14 with registers: a folder with config.json + model.safetensors
                 (hf:facebook/dinov2-with-registers-large, or torch-hub names with {name,args}).
  --background-model
                 a background-removal model folder, copied into background_removal/: either a
                 u2net-style folder (exactly one .onnx, e.g. rembg's u2net.onnx: one input
                 [1, 3, S, S], mask as first output) run with ORT, or a transformers.js
                 image-segmentation folder (config.json, preprocessor_config.json,
                 onnx/model.onnx; e.g. briaai/RMBG-1.4, Xenova/modnet) run by transformers.js.
                 hf:<repo> downloads such a transformers.js repo first (hf:briaai/RMBG-1.4).
  --background-kind
                 u2net or transformers; detected from the folder layout when omitted.
  --dtype        fp16 (default: half-size weights, fp32 arithmetic) or fp32.
  --components   convert only these (${COMPONENT_NAMES.join(', ')}).
  --cache        where hf: downloads go (default .cache/hf).
  Output is assembled in <out>.partial-<pid> and renamed into place only when complete.`;

/**
 * What `--background-model hf:<repo>` downloads: a transformers.js image-segmentation repo
 * (briaai/RMBG-1.4, Xenova/modnet, ...) in the layout background-model.ts reads, fp32 graph.
 * rembg's u2net is not published in one layout on the hub; give it as a local folder.
 */
export const BACKGROUND_HF_FILES = ['config.json', 'preprocessor_config.json', 'onnx/model.onnx'];

/** A local folder as given, or an `hf:<owner>/<name>` repo downloaded (resumably) into the cache. */
export async function resolveSource(spec: string, cache: string, files: (dir: string) => string[] | null, components?: ComponentName[]): Promise<string> {
  if (!spec.startsWith('hf:')) return path.resolve(spec);
  const repo = spec.slice(3);
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new UsageError(`hf:<owner>/<name> expected, got ${JSON.stringify(spec)}`);
  const dir = path.join(cache, repo.replace('/', '--'));
  mkdirSync(dir, { recursive: true });
  const progress = terminalProgress();
  const first = files(dir);
  const list = first ?? [];
  if (first === null) {
    // TRELLIS repo: pipeline.json first, then what it names.
    await downloadHfFile(repo, 'pipeline.json', dir, { onProgress: progress, token: process.env.HF_TOKEN });
    list.push(...neededRepoFiles(JSON.parse(readFileSync(path.join(dir, 'pipeline.json'), 'utf8')), components));
  }
  for (const f of list) await downloadHfFile(repo, f, dir, { onProgress: progress, token: process.env.HF_TOKEN });
  return dir;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      out: { type: 'string' },
      dinov2: { type: 'string' },
      'background-model': { type: 'string' },
      'background-kind': { type: 'string' },
      dtype: { type: 'string', default: 'fp16' },
      components: { type: 'string' },
      name: { type: 'string' },
      cache: { type: 'string', default: '.cache/hf' },
      'shard-mb': { type: 'string', default: '1024' },
      'attn-chunk': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return EXIT_OK;
  }
  if (!values.from) throw new UsageError('--from is required');
  if (!values.out) throw new UsageError('--out is required');
  if (values.dtype !== 'fp16' && values.dtype !== 'fp32') throw new UsageError(`--dtype must be fp16 or fp32, got ${values.dtype}`);
  const backgroundKind = values['background-kind'];
  if (backgroundKind !== undefined) {
    if (!values['background-model']) throw new UsageError('--background-kind needs --background-model <dir>');
    if (!(BACKGROUND_KINDS as readonly string[]).includes(backgroundKind)) throw new UsageError(`--background-kind must be ${BACKGROUND_KINDS.join(' or ')}, got ${backgroundKind}`);
  }
  let components: ComponentName[] | undefined;
  if (values.components) {
    components = values.components.split(',').map((s) => s.trim()) as ComponentName[];
    const bad = components.filter((c) => !COMPONENT_NAMES.includes(c));
    if (bad.length) throw new UsageError(`--components: unknown ${bad.join(', ')}; allowed: ${COMPONENT_NAMES.join(', ')}`);
  }
  const shardMb = Number(values['shard-mb']);
  if (!Number.isInteger(shardMb) || shardMb < 1) throw new UsageError(`--shard-mb must be a positive integer, got ${values['shard-mb']}`);
  const attnChunk = values['attn-chunk'] !== undefined ? Number(values['attn-chunk']) : undefined;
  if (attnChunk !== undefined && (!Number.isInteger(attnChunk) || attnChunk < 1)) throw new UsageError(`--attn-chunk must be a positive integer`);

  const cache = path.resolve(values.cache!);
  const from = await resolveSource(values.from, cache, () => null, components);
  const dinov2 = values.dinov2 ? await resolveSource(values.dinov2, cache, () => ['config.json', 'model.safetensors']) : undefined;
  if (!dinov2) process.stderr.write('note: no --dinov2 given: the model folder will have no image encoder, so it can only run with precomputed conditioning.\n');
  const backgroundSpec = values['background-model'];
  const backgroundModel = backgroundSpec ? await resolveSource(backgroundSpec, cache, () => BACKGROUND_HF_FILES) : undefined;
  const t0 = Date.now();
  try {
    const result = await convertModel({
      from,
      dinov2,
      backgroundModel,
      backgroundKind: backgroundKind as BackgroundKind | undefined,
      out: values.out,
      name: values.name,
      dtype: values.dtype,
      components,
      shardBytes: shardMb * 1024 * 1024,
      graph: attnChunk ? { attnQueryChunk: attnChunk } : {},
      log: (l) => process.stderr.write(`${l}\n`),
      source: { from: values.from, dinov2: values.dinov2 ?? null, ...(backgroundSpec ? { background_model: backgroundSpec } : {}) },
    });
    const total = result.reports.reduce((a, r) => a + r.graphBytes + r.dataBytes, 0);
    process.stdout.write(`wrote ${result.outDir} (${(total / 1e6).toFixed(1)} MB, ${result.reports.length} components) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    return EXIT_OK;
  } catch (e) {
    process.stderr.write(`trellis-web convert: ${(e as Error).message}\nnothing was written to ${values.out}\n`);
    return EXIT_FAILURE;
  }
}
