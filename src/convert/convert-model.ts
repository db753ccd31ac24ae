// Converts a TRELLIS model repo (+ a DINOv2 checkpoint, + optionally a background-removal model)
// into public/models/<id>/: one ONNX graph per network, external weight shards, manifest.json
// with sizes and sha256. Output is assembled in a temporary folder and renamed into place only
// when complete, so a failed run never leaves a folder that looks usable.

import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openCheckpoint, readConfig } from './checkpoint.ts';
import type { Chunk } from './onnx/protobuf-writer.ts';
import { findConverter, type GraphOptions } from './networks/registry.ts';
import type { ModelConfig } from './checkpoint.ts';
import { readDinov2Dir, readTrellisRepo } from './trellis-repo.ts';
import type { WeightDType } from './weights.ts';
import { SafetensorsFile } from './safetensors.ts';
import { hfDinov2Source } from './networks/dinov2-hf-names.ts';
import { SafetensorsSource } from './checkpoint.ts';
import { backgroundFileRole, backgroundGraphIO, listFilesRecursive, planBackgroundModel, type BackgroundKind } from './background-model.ts';
import {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  parseManifest,
  type ComponentName,
  type ComponentSpec,
  type GraphSpec,
  type ManifestV1,
  type ModelFile,
} from '../models/manifest.ts';

export interface ConvertOptions {
  /** Local TRELLIS repo folder (pipeline.json + ckpts/). */
  from: string;
  /** DINOv2 folder (HF dinov2-with-registers layout or torch-hub names + {name,args}). */
  dinov2?: string;
  /** Background-removal model folder (u2net-style ONNX or transformers.js layout), copied as is. */
  backgroundModel?: string;
  /** How the engine runs it; detected from the folder layout when omitted. */
  backgroundKind?: BackgroundKind;
  out: string;
  id?: string;
  name?: string;
  description?: string;
  dtype: WeightDType;
  components?: ComponentName[];
  /** Largest external-data file; browsers handle ArrayBuffers up to ~2 GB badly. */
  shardBytes?: number;
  graph?: GraphOptions;
  log?: (line: string) => void;
  source?: Record<string, unknown>;
}

export interface ComponentReport {
  component: ComponentName;
  className: string;
  parameters: number;
  graphBytes: number;
  dataBytes: number;
  nodes: number;
  seconds: number;
}

export interface ConvertResult {
  manifest: ManifestV1;
  reports: ComponentReport[];
  outDir: string;
}

/** Folder of the background_removal component inside the model folder. */
const BACKGROUND_DIR = 'background_removal';

function sha256OfChunks(chunks: Chunk[]): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

function writeChunks(file: string, chunks: Chunk[]): void {
  const fd = openSync(file, 'w');
  try {
    for (const c of chunks) {
      let done = 0;
      while (done < c.byteLength) done += writeSync(fd, c, done, c.byteLength - done);
    }
  } finally {
    closeSync(fd);
  }
}

function sha256OfFile(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

interface BuildInput {
  component: ComponentName;
  className: string;
  args: Record<string, any>;
  source: import('./weights.ts').StateDictSource;
}

function convertOne(input: BuildInput, tmp: string, opts: ConvertOptions): { spec: ComponentSpec; report: ComponentReport } {
  const t0 = Date.now();
  const conv = findConverter(input.className, input.source.label);
  if (conv.component !== input.component) {
    throw new Error(`${input.source.label}: class ${input.className} builds a ${conv.component} graph, but the pipeline names it as ${input.component}`);
  }
  const config: ModelConfig = { name: input.className, args: input.args };
  const built = conv.build(config, input.source, opts.dtype, opts.graph ?? {});
  let parameters = 0;
  for (const k of input.source.keys()) parameters += input.source.shape(k).reduce((a, b) => a * b, 1);
  const files: ModelFile[] = [];
  const graphs: Record<string, GraphSpec> = {};
  let graphBytes = 0;
  let dataBytes = 0;
  let nodes = 0;
  for (const bg of built.graphs) {
    const base = bg.name === 'main' ? input.component : `${input.component}.${bg.name}`;
    const ser = bg.graph.serialize({
      externalDataFile: `${base}.onnx.data`,
      externalThreshold: 1024,
      maxShardBytes: opts.shardBytes ?? 1024 ** 3,
    });
    const graphFile = `${base}.onnx`;
    writeChunks(path.join(tmp, graphFile), ser.model);
    files.push({ path: graphFile, size: ser.modelBytes, sha256: sha256OfChunks(ser.model), role: 'graph' });
    for (const shard of ser.shards ?? []) {
      writeChunks(path.join(tmp, shard.file), shard.chunks);
      files.push({ path: shard.file, size: shard.bytes, sha256: sha256OfChunks(shard.chunks), role: 'external_data' });
      dataBytes += shard.bytes;
    }
    graphs[bg.name] = { file: graphFile, inputs: bg.inputs, outputs: bg.outputs };
    graphBytes += ser.modelBytes;
    nodes += bg.graph.nodeCount;
  }
  const first = built.graphs[0];
  const spec: ComponentSpec = {
    class: input.className,
    config: input.args,
    files,
    inputs: first.inputs,
    outputs: first.outputs,
    dtype: opts.dtype,
    ...(built.graphs.length > 1 ? { graphs } : {}),
  };
  const report: ComponentReport = {
    component: input.component,
    className: input.className,
    parameters,
    graphBytes,
    dataBytes,
    nodes,
    seconds: (Date.now() - t0) / 1000,
  };
  opts.log?.(`${input.component}: ${input.className}, ${(parameters / 1e6).toFixed(1)} M params, graph ${(graphBytes / 1e6).toFixed(1)} MB + data ${(dataBytes / 1e6).toFixed(1)} MB in ${files.length} file(s), ${nodes} nodes, ${report.seconds.toFixed(1)} s`);
  return { spec, report };
}

/** Copies the background-removal folder into background_removal/ and describes it. */
function copyBackgroundModel(dir: string, tmp: string, opts: ConvertOptions): ComponentSpec {
  const src = path.resolve(dir);
  const plan = planBackgroundModel(src, opts.backgroundKind);
  const { inputs, outputs } = backgroundGraphIO(path.join(src, plan.graph), plan.kind);
  const dest = path.join(tmp, BACKGROUND_DIR);
  cpSync(src, dest, { recursive: true });
  const files: ModelFile[] = listFilesRecursive(dest).map((rel) => ({
    path: `${BACKGROUND_DIR}/${rel}`,
    size: statSync(path.join(dest, rel)).size,
    sha256: sha256OfFile(path.join(dest, rel)),
    role: backgroundFileRole(rel),
  }));
  const config: Record<string, unknown> =
    plan.kind === 'transformers'
      ? { kind: 'transformers', model: BACKGROUND_DIR, dtype: plan.transformersDtype, source: path.basename(src) }
      : { kind: 'u2net', source: path.basename(src) };
  opts.log?.(`background_removal: ${plan.kind} model from ${src} (graph ${plan.graph}: ${inputs.map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ')} -> ${outputs.map((t) => t.name).join(', ')}), ${files.length} file(s)`);
  return { class: plan.kind === 'transformers' ? 'TransformersJsSegmentation' : 'U2Net', config, files, inputs, outputs, dtype: plan.dtype };
}

export async function convertModel(opts: ConvertOptions): Promise<ConvertResult> {
  const outDir = path.resolve(opts.out);
  const id = opts.id ?? path.basename(outDir);
  const repo = readTrellisRepo(opts.from, opts.components);
  const tmp = `${outDir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const components: Partial<Record<ComponentName, ComponentSpec>> = {};
    const reports: ComponentReport[] = [];
    // First: a wrong background folder should fail before minutes of network conversion.
    if (opts.backgroundModel) components.background_removal = copyBackgroundModel(opts.backgroundModel, tmp, opts);
    const wantDinov2 = !opts.components || opts.components.includes('dinov2');
    if (opts.dinov2 && wantDinov2) {
      const d = readDinov2Dir(opts.dinov2);
      const file = new SafetensorsFile(d.weightsPath);
      try {
        let className: string;
        let args: Record<string, any>;
        let source: import('./weights.ts').StateDictSource = new SafetensorsSource(file);
        if (d.naming === 'hub') {
          const cfg = readConfig(d.configPath);
          className = cfg.name;
          args = cfg.args;
        } else {
          const mapped = hfDinov2Source(JSON.parse(readFileSync(d.configPath, 'utf8')), source, d.configPath);
          className = 'DinoVisionTransformer';
          args = mapped.args;
          source = mapped.source;
        }
        const { spec, report } = convertOne({ component: 'dinov2', className, args, source }, tmp, opts);
        components.dinov2 = spec;
        reports.push(report);
      } finally {
        file.close();
      }
    }
    // The decoder's input grid is the stage-1 flow's resolution.
    const flowCk = repo.checkpoints.find((c) => c.component === 'ss_flow');
    const ssResolution = flowCk ? Number(readConfig(flowCk.configPath).args.resolution) : 16;
    for (const ck of repo.checkpoints) {
      const c = openCheckpoint(ck.configPath, ck.weightsPath);
      try {
        const { spec, report } = convertOne({ component: ck.component, className: c.config.name, args: c.config.args, source: c.source }, tmp, { ...opts, graph: { ...opts.graph, ssResolution } });
        components[ck.component] = spec;
        reports.push(report);
      } finally {
        c.close();
      }
    }
    const manifest = parseManifest({
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      id,
      name: opts.name ?? id,
      ...(opts.description ? { description: opts.description } : {}),
      dtype: opts.dtype,
      components,
      pipeline: repo.pipeline,
      source: { from: opts.source ?? path.resolve(opts.from), converter: 'trellis-web', converted: new Date().toISOString() },
    }, 'converted manifest');
    writeFileSync(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (existsSync(outDir)) {
      const old = `${outDir}.old-${process.pid}`;
      renameSync(outDir, old);
      renameSync(tmp, outDir);
      rmSync(old, { recursive: true, force: true });
    } else {
      mkdirSync(path.dirname(outDir), { recursive: true });
      renameSync(tmp, outDir);
    }
    return { manifest, reports, outDir };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
