// The background_removal component from a user-supplied model folder (`convert
// --background-model <dir>`): which runtime runs it (src/engine/background/background-config.ts),
// which file is its graph, and the graph's real I/O read from the ONNX protobuf.
//   transformers: a transformers.js image-segmentation folder (config.json,
//                 preprocessor_config.json, onnx/model*.onnx), run by transformers.js
//   u2net:        exactly one .onnx file (+ its external data), run with ORT like rembg
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readGraphIO, type GraphTensorInfo } from './onnx/onnx-reader.ts';
import { TENSOR_DTYPES, type FileRole, type ModelDtype, type TensorDtype, type TensorSpec } from '../models/manifest.ts';

export const BACKGROUND_KINDS = ['u2net', 'transformers'] as const;
export type BackgroundKind = (typeof BACKGROUND_KINDS)[number];

/** transformers.js picks onnx/model<suffix>.onnx by dtype; fp32 is preferred, then fp16. */
const TRANSFORMERS_DTYPE_SUFFIX: readonly [string, string][] = [
  ['fp32', ''],
  ['fp16', '_fp16'],
  ['q8', '_quantized'],
  ['int8', '_int8'],
  ['uint8', '_uint8'],
  ['q4', '_q4'],
  ['q4f16', '_q4f16'],
  ['bnb4', '_bnb4'],
];

export interface BackgroundModelPlan {
  kind: BackgroundKind;
  /** The graph whose I/O the manifest lists, relative to the folder ('/' separators). */
  graph: string;
  /** transformers.js dtype of that graph (transformers kind only). */
  transformersDtype?: string;
  /** The component's manifest dtype. */
  dtype: ModelDtype;
}

export function listFilesRecursive(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFilesRecursive(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

export function backgroundFileRole(rel: string): FileRole {
  if (rel.endsWith('.onnx')) return 'graph';
  if (/\.onnx_data(_\d+)?$/.test(rel) || rel.endsWith('.data') || /\.data\.\d+$/.test(rel)) return 'external_data';
  return 'other';
}

const TRANSFORMERS_LAYOUT = 'a transformers.js layout (config.json, preprocessor_config.json and onnx/model.onnx or another onnx/model_<dtype>.onnx)';
const U2NET_LAYOUT = 'a u2net-style folder (exactly one .onnx file, plus its external data if any)';

function transformersProblems(dir: string, files: string[]): string[] {
  const missing: string[] = [];
  for (const f of ['config.json', 'preprocessor_config.json']) if (!files.includes(f)) missing.push(f);
  if (!files.some((f) => /^onnx\/model(_[a-z0-9]+)?\.onnx$/.test(f))) missing.push('onnx/model*.onnx');
  return missing.map((m) => `${path.join(dir, m)} is missing`);
}

function transformersPlan(dir: string, files: string[]): BackgroundModelPlan {
  const problems = transformersProblems(dir, files);
  if (problems.length) throw new Error(`${dir}: not ${TRANSFORMERS_LAYOUT}: ${problems.join('; ')}`);
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  } catch (error) {
    throw new Error(`${path.join(dir, 'config.json')}: not valid JSON (${(error as Error).message})`);
  }
  if (!config || typeof config !== 'object' || typeof (config as { model_type?: unknown }).model_type !== 'string') {
    throw new Error(`${path.join(dir, 'config.json')}: "model_type" (e.g. "modnet", "birefnet", "isnet", "ben", "segformer") is required by transformers.js`);
  }
  for (const [dtype, suffix] of TRANSFORMERS_DTYPE_SUFFIX) {
    const graph = `onnx/model${suffix}.onnx`;
    if (files.includes(graph)) return { kind: 'transformers', graph, transformersDtype: dtype, dtype: dtype === 'fp16' ? 'fp16' : 'fp32' };
  }
  const found = files.filter((f) => f.startsWith('onnx/') && f.endsWith('.onnx'));
  throw new Error(`${dir}: transformers.js cannot pick any of ${found.join(', ')}: expected onnx/model.onnx or onnx/model_<${TRANSFORMERS_DTYPE_SUFFIX.slice(1).map(([d]) => d).join('|')}>.onnx`);
}

function u2netPlan(dir: string, files: string[]): BackgroundModelPlan {
  const graphs = files.filter((f) => f.endsWith('.onnx'));
  if (graphs.length !== 1) {
    throw new Error(`${dir}: not ${U2NET_LAYOUT}: found ${graphs.length} .onnx files${graphs.length ? ` (${graphs.join(', ')})` : ''}`);
  }
  return { kind: 'u2net', graph: graphs[0], dtype: 'fp32' };
}

/** Which runtime serves the folder: the explicit kind, else the layout decides. */
export function planBackgroundModel(dir: string, kind?: BackgroundKind): BackgroundModelPlan {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: background model folder not found`);
  const files = listFilesRecursive(dir);
  if (kind === 'transformers') return transformersPlan(dir, files);
  if (kind === 'u2net') return u2netPlan(dir, files);
  if (kind !== undefined) throw new Error(`background model kind must be one of ${BACKGROUND_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  if (transformersProblems(dir, files).length === 0) return transformersPlan(dir, files);
  if (files.filter((f) => f.endsWith('.onnx')).length === 1) return u2netPlan(dir, files);
  const onnx = files.filter((f) => f.endsWith('.onnx'));
  throw new Error(
    `${dir}: cannot tell what kind of background-removal model this is (${files.length} files, ${onnx.length} .onnx${onnx.length ? `: ${onnx.slice(0, 6).join(', ')}` : ''}). ` +
      `Expected ${TRANSFORMERS_LAYOUT}, or ${U2NET_LAYOUT}; --background-kind u2net|transformers chooses explicitly.`,
  );
}

function manifestTensor(t: GraphTensorInfo, where: string): TensorSpec {
  if (!t.name) throw new Error(`${where}: a graph input/output has no name`);
  if (!(TENSOR_DTYPES as readonly string[]).includes(t.dtype)) {
    throw new Error(`${where}: ${t.name} has element type ${t.dtype}; allowed: ${TENSOR_DTYPES.join(', ')}`);
  }
  return { name: t.name, dtype: t.dtype as TensorDtype, shape: t.shape };
}

/** The graph's I/O as manifest tensors, checked for what the u2net runner needs. */
export function backgroundGraphIO(graphPath: string, kind: BackgroundKind): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  let io;
  try {
    io = readGraphIO(new Uint8Array(readFileSync(graphPath)));
  } catch (error) {
    throw new Error(`${graphPath}: cannot read the ONNX graph: ${(error as Error).message}`);
  }
  if (io.inputs.length === 0) throw new Error(`${graphPath}: the graph declares no inputs`);
  if (io.outputs.length === 0) throw new Error(`${graphPath}: the graph declares no outputs`);
  const inputs = io.inputs.map((t) => manifestTensor(t, graphPath));
  const outputs = io.outputs.map((t) => manifestTensor(t, graphPath));
  if (kind === 'u2net') checkU2netIO(graphPath, inputs, outputs);
  return { inputs, outputs };
}

/** The u2net runner (src/engine/background/u2net-remover.ts): one float32 image [1, 3, S, S],
 *  mask = first output, float32 [N, C, H, W]. */
export function checkU2netIO(where: string, inputs: TensorSpec[], outputs: TensorSpec[]): void {
  const fmt = (t: TensorSpec) => `${t.name} ${t.dtype} [${t.shape.join(', ')}]`;
  const want = 'one float32 image input [1, 3, S, S] (rembg u2net layout)';
  if (inputs.length !== 1) throw new Error(`${where}: u2net runner needs ${want}, the graph has ${inputs.length} inputs: ${inputs.map(fmt).join('; ')}`);
  const x = inputs[0];
  const s = x.shape;
  const batchOk = s[0] === 1 || typeof s[0] === 'string';
  const squareOk = s[2] === s[3] && (typeof s[2] === 'string' || (s[2] as number) > 0);
  if (x.dtype !== 'float32' || s.length !== 4 || !batchOk || s[1] !== 3 || !squareOk) {
    throw new Error(`${where}: u2net runner needs ${want}, got ${fmt(x)}`);
  }
  const y = outputs[0];
  if (y.dtype !== 'float32' || y.shape.length !== 4) {
    throw new Error(`${where}: u2net runner reads the mask from the first output as float32 [N, C, H, W], got ${fmt(y)}`);
  }
}
