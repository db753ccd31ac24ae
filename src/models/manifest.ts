// Model manifest (public/models/<id>/manifest.json): types and a validating loader.
// The engine trusts only the manifest, so every field is checked and every problem is
// reported with its JSON path.
import { EngineError } from '../engine/errors.ts';
import { containedPathProblem, urlIsInsideFolder } from './contained-path.ts';
import { boundedFetch, BoundedFetchError } from '../engine/net/bounded-fetch.ts';

export const MANIFEST_FORMAT = 'trellis-web-models';
export const MANIFEST_VERSION = 1;

export type ModelDtype = 'fp32' | 'fp16';
export type FileRole = 'graph' | 'external_data' | 'other';
export type TensorDtype = 'float32' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';
export const TENSOR_DTYPES: readonly TensorDtype[] = ['float32', 'float16', 'int64', 'int32', 'int8', 'uint8', 'bool'];

export const REQUIRED_COMPONENTS = ['ss_flow', 'ss_decoder', 'slat_flow', 'slat_decoder_mesh'] as const;
export const OPTIONAL_COMPONENTS = ['dinov2', 'slat_decoder_gs', 'background_removal'] as const;
export type ComponentName = (typeof REQUIRED_COMPONENTS)[number] | (typeof OPTIONAL_COMPONENTS)[number];
/** Pipeline order, which is also the order components are listed in. */
export const COMPONENT_NAMES: readonly ComponentName[] = [
  'background_removal',
  'dinov2',
  'ss_flow',
  'ss_decoder',
  'slat_flow',
  'slat_decoder_mesh',
  'slat_decoder_gs',
];

export interface ModelFile {
  /** Relative to the manifest's folder; no '..', no leading '/', no scheme. */
  path: string;
  size: number;
  /** Lowercase or uppercase hex, 64 chars. */
  sha256: string;
  role: FileRole;
}

export interface TensorSpec {
  name: string;
  dtype: TensorDtype;
  /** Fixed sizes as numbers, dynamic axes as symbolic names (e.g. "N"). */
  shape: (number | string)[];
}

export interface GraphSpec {
  /** Path of the graph file (one of the component's files, role "graph"). */
  file: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export interface ComponentSpec {
  /** The reference class the weights come from, e.g. "SparseStructureFlowModel". */
  class: string;
  /** The reference constructor args. */
  config: Record<string, unknown>;
  files: ModelFile[];
  /** I/O of the main graph (the first one when the component has several). */
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  dtype: ModelDtype;
  /**
   * Components made of several graphs (the mesh decoder: head, stats, tail) name each one here;
   * single-graph components may omit it.
   */
  graphs?: Record<string, GraphSpec>;
}

export interface SamplerDefaults {
  steps: number;
  cfg_strength: number;
  cfg_interval: [number, number];
  rescale_t: number;
  sigma_min: number;
}

export interface PipelineSpec {
  ss_sampler: SamplerDefaults;
  slat_sampler: SamplerDefaults;
  slat_normalization: { mean: number[]; std: number[] };
}

export interface ComponentsSpec {
  dinov2?: ComponentSpec;
  ss_flow: ComponentSpec;
  ss_decoder: ComponentSpec;
  slat_flow: ComponentSpec;
  slat_decoder_mesh: ComponentSpec;
  slat_decoder_gs?: ComponentSpec;
  background_removal?: ComponentSpec;
}

export interface ManifestV1 {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  id: string;
  name: string;
  description?: string;
  dtype: ModelDtype;
  components: ComponentsSpec;
  pipeline: PipelineSpec;
  /** Provenance (checkpoint repo, revision, converter version...): free-form. */
  source?: Record<string, unknown>;
}

export interface ManifestIssue {
  path: string;
  message: string;
}

export type ManifestErrorKind = 'not_found' | 'unreadable' | 'invalid';

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly kind: ManifestErrorKind;
  readonly issues: ManifestIssue[];

  constructor(kind: ManifestErrorKind, message: string, issues: ManifestIssue[] = []) {
    super(message);
    this.kind = kind;
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------
// Path-aware checking

type Json = unknown;

class Checker {
  readonly issues: ManifestIssue[] = [];
  fail(path: string, message: string): void {
    this.issues.push({ path: path || '(root)', message });
  }

  object(path: string, v: Json): v is Record<string, Json> {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return true;
    this.fail(path, `expected an object, got ${kind(v)}`);
    return false;
  }

  /** Reports missing required keys and keys outside the allowed set. */
  keys(path: string, v: Record<string, Json>, required: readonly string[], optional: readonly string[]): void {
    for (const k of required) if (!(k in v)) this.fail(join(path, k), 'required field is missing');
    const allowed = [...required, ...optional];
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) this.fail(join(path, k), `unknown field; allowed here: ${allowed.join(', ')}`);
    }
  }

  string(path: string, v: Json, { nonEmpty = true } = {}): v is string {
    if (typeof v !== 'string') {
      this.fail(path, `expected a string, got ${kind(v)}`);
      return false;
    }
    if (nonEmpty && v.length === 0) {
      this.fail(path, 'expected a non-empty string');
      return false;
    }
    return true;
  }

  number(path: string, v: Json, opts: { int?: boolean; min?: number; exclusiveMin?: number } = {}): v is number {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(path, `expected a finite number, got ${kind(v)}`);
      return false;
    }
    if (opts.int && !Number.isInteger(v)) {
      this.fail(path, `expected an integer, got ${v}`);
      return false;
    }
    if (opts.min !== undefined && v < opts.min) {
      this.fail(path, `expected a number >= ${opts.min}, got ${v}`);
      return false;
    }
    if (opts.exclusiveMin !== undefined && v <= opts.exclusiveMin) {
      this.fail(path, `expected a number > ${opts.exclusiveMin}, got ${v}`);
      return false;
    }
    return true;
  }

  oneOf<T extends string | number>(path: string, v: Json, options: readonly T[]): v is T {
    if ((options as readonly unknown[]).includes(v)) return true;
    this.fail(path, `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${kind(v)}`);
    return false;
  }

  array(path: string, v: Json, { minLength = 0, length }: { minLength?: number; length?: number } = {}): v is Json[] {
    if (!Array.isArray(v)) {
      this.fail(path, `expected a list, got ${kind(v)}`);
      return false;
    }
    if (length !== undefined && v.length !== length) {
      this.fail(path, `expected exactly ${length} items, got ${v.length}`);
      return false;
    }
    if (v.length < minLength) {
      this.fail(path, `expected at least ${minLength} item${minLength === 1 ? '' : 's'}, got ${v.length}`);
      return false;
    }
    return true;
  }
}

function kind(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

const SHA256_RE = /^[0-9a-fA-F]{64}$/;
const ID_RE = /^[a-z0-9][a-z0-9._-]*$/;

/** A relative path inside the model folder (so a manifest cannot point elsewhere). */
function checkRelativePath(c: Checker, path: string, v: Json): void {
  if (!c.string(path, v)) return;
  const problem = containedPathProblem(v);
  if (problem) {
    c.fail(path, `expected a '/'-separated path inside the manifest's folder (no scheme, no leading '/', no '.', '..' or empty segments, also once percent-decoded); ${JSON.stringify(v)} ${problem}`);
  }
}

function checkFile(c: Checker, path: string, v: Json): void {
  if (!c.object(path, v)) return;
  c.keys(path, v, ['path', 'size', 'sha256', 'role'], []);
  if ('path' in v) checkRelativePath(c, join(path, 'path'), v.path);
  if ('size' in v) c.number(join(path, 'size'), v.size, { int: true, min: 0 });
  if ('sha256' in v && c.string(join(path, 'sha256'), v.sha256) && !SHA256_RE.test(v.sha256)) {
    c.fail(join(path, 'sha256'), `expected 64 hex chars, got ${kind(v.sha256)}`);
  }
  if ('role' in v) c.oneOf(join(path, 'role'), v.role, ['graph', 'external_data', 'other'] as const);
}

function checkTensor(c: Checker, path: string, v: Json): void {
  if (!c.object(path, v)) return;
  c.keys(path, v, ['name', 'dtype', 'shape'], []);
  if ('name' in v) c.string(join(path, 'name'), v.name);
  if ('dtype' in v) c.oneOf(join(path, 'dtype'), v.dtype, TENSOR_DTYPES);
  if ('shape' in v && c.array(join(path, 'shape'), v.shape)) {
    v.shape.forEach((dim, i) => {
      const p = join(join(path, 'shape'), i);
      if (typeof dim === 'string') c.string(p, dim);
      else if (typeof dim === 'number') c.number(p, dim, { int: true, min: 0 });
      else c.fail(p, `expected a size (integer) or a symbolic dimension name (string), got ${kind(dim)}`);
    });
  }
}

function checkUniqueNames(c: Checker, path: string, items: Json[], key: string): void {
  const seen = new Map<unknown, number>();
  items.forEach((item, i) => {
    if (item === null || typeof item !== 'object') return;
    const value = (item as Record<string, Json>)[key];
    if (typeof value !== 'string') return;
    const first = seen.get(value);
    if (first !== undefined) c.fail(join(join(path, i), key), `duplicate ${key} ${JSON.stringify(value)} (also at ${join(path, first)})`);
    else seen.set(value, i);
  });
}

function checkComponent(c: Checker, path: string, v: Json): void {
  if (!c.object(path, v)) return;
  c.keys(path, v, ['class', 'config', 'files', 'inputs', 'outputs', 'dtype'], ['graphs']);
  if ('class' in v) c.string(join(path, 'class'), v.class);
  if ('config' in v) c.object(join(path, 'config'), v.config);
  if ('dtype' in v) c.oneOf(join(path, 'dtype'), v.dtype, ['fp32', 'fp16'] as const);
  const files = join(path, 'files');
  if ('files' in v && c.array(files, v.files, { minLength: 1 })) {
    v.files.forEach((f, i) => checkFile(c, join(files, i), f));
    checkUniqueNames(c, files, v.files, 'path');
    const graphs = v.files.filter((f) => (f as { role?: unknown } | null)?.role === 'graph').length;
    if (graphs === 0) c.fail(files, 'expected at least one file with role "graph", found none');
  }
  checkIO(c, path, v);
  const gp = join(path, 'graphs');
  if ('graphs' in v && c.object(gp, v.graphs)) {
    const graphFiles = new Set(Array.isArray(v.files) ? v.files.filter((f) => (f as { role?: unknown } | null)?.role === 'graph').map((f) => (f as { path?: unknown }).path) : []);
    for (const [name, spec] of Object.entries(v.graphs)) {
      const p = join(gp, name);
      if (!c.object(p, spec)) continue;
      c.keys(p, spec, ['file', 'inputs', 'outputs'], []);
      if ('file' in spec && c.string(join(p, 'file'), spec.file) && !graphFiles.has(spec.file)) {
        c.fail(join(p, 'file'), `expected one of the component's files with role "graph", got ${kind(spec.file)}`);
      }
      checkIO(c, p, spec);
    }
  }
}

function checkIO(c: Checker, path: string, v: Record<string, Json>): void {
  for (const key of ['inputs', 'outputs'] as const) {
    const p = join(path, key);
    if (key in v && c.array(p, v[key], { minLength: 1 })) {
      (v[key] as Json[]).forEach((t, i) => checkTensor(c, join(p, i), t));
      checkUniqueNames(c, p, v[key] as Json[], 'name');
    }
  }
}

function checkSampler(c: Checker, path: string, v: Json): void {
  if (!c.object(path, v)) return;
  c.keys(path, v, ['steps', 'cfg_strength', 'cfg_interval', 'rescale_t', 'sigma_min'], []);
  if ('steps' in v) c.number(join(path, 'steps'), v.steps, { int: true, min: 1 });
  if ('cfg_strength' in v) c.number(join(path, 'cfg_strength'), v.cfg_strength, { min: 0 });
  if ('rescale_t' in v) c.number(join(path, 'rescale_t'), v.rescale_t, { exclusiveMin: 0 });
  if ('sigma_min' in v) c.number(join(path, 'sigma_min'), v.sigma_min, { min: 0 });
  const ip = join(path, 'cfg_interval');
  if ('cfg_interval' in v && c.array(ip, v.cfg_interval, { length: 2 })) {
    const [a, b] = v.cfg_interval;
    const okA = c.number(join(ip, 0), a);
    const okB = c.number(join(ip, 1), b);
    if (okA && okB && (a as number) > (b as number)) c.fail(ip, `expected [start, end] with start <= end, got [${a}, ${b}]`);
  }
}

function checkNumberList(c: Checker, path: string, v: Json, length: number, opts: { exclusiveMin?: number } = {}): void {
  if (!c.array(path, v, { length })) return;
  v.forEach((x, i) => c.number(join(path, i), x, opts));
}

function checkPipeline(c: Checker, path: string, v: Json): void {
  if (!c.object(path, v)) return;
  c.keys(path, v, ['ss_sampler', 'slat_sampler', 'slat_normalization'], []);
  if ('ss_sampler' in v) checkSampler(c, join(path, 'ss_sampler'), v.ss_sampler);
  if ('slat_sampler' in v) checkSampler(c, join(path, 'slat_sampler'), v.slat_sampler);
  const np = join(path, 'slat_normalization');
  if ('slat_normalization' in v && c.object(np, v.slat_normalization)) {
    const n = v.slat_normalization;
    c.keys(np, n, ['mean', 'std'], []);
    if ('mean' in n) checkNumberList(c, join(np, 'mean'), n.mean, 8);
    if ('std' in n) checkNumberList(c, join(np, 'std'), n.std, 8, { exclusiveMin: 0 });
  }
}

/** Validates a parsed manifest; returns every problem found (empty when valid). */
export function checkManifest(value: unknown): ManifestIssue[] {
  const c = new Checker();
  if (!c.object('', value)) return c.issues;
  const v = value;
  c.keys('', v, ['format', 'version', 'id', 'name', 'dtype', 'components', 'pipeline'], ['description', 'source']);
  if ('format' in v) c.oneOf('format', v.format, [MANIFEST_FORMAT]);
  if ('version' in v) c.oneOf('version', v.version, [MANIFEST_VERSION]);
  if ('id' in v && c.string('id', v.id) && !ID_RE.test(v.id)) {
    c.fail('id', `expected lowercase letters, digits, '.', '_' or '-' (a folder name), got ${kind(v.id)}`);
  }
  if ('name' in v) c.string('name', v.name);
  if ('description' in v) c.string('description', v.description, { nonEmpty: false });
  if ('dtype' in v) c.oneOf('dtype', v.dtype, ['fp32', 'fp16'] as const);
  if ('source' in v) c.object('source', v.source);
  if ('components' in v && c.object('components', v.components)) {
    const comps = v.components;
    c.keys('components', comps, REQUIRED_COMPONENTS, OPTIONAL_COMPONENTS);
    for (const name of COMPONENT_NAMES) if (name in comps) checkComponent(c, join('components', name), comps[name]);
  }
  if ('pipeline' in v) checkPipeline(c, 'pipeline', v.pipeline);
  return c.issues;
}

function invalid(issues: ManifestIssue[], where: string): ManifestError {
  const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
  return new ManifestError('invalid', `invalid model manifest${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`, issues);
}

/** Parses and validates a manifest from JSON text or an already parsed object. */
export function parseManifest(input: string | unknown, where = ''): ManifestV1 {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new ManifestError('unreadable', `model manifest${where} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const issues = checkManifest(value);
  if (issues.length > 0) throw invalid(issues, where);
  return value as ManifestV1;
}

export type FetchLike = (url: string) => Promise<Pick<Response, 'ok' | 'status' | 'statusText' | 'text'>>;

/** Manifests are a few KB; these bound a misconfigured or hostile server. */
export const MANIFEST_TIMEOUT_MS = 30_000;
export const MANIFEST_MAX_BYTES = 4_000_000;

/** fetch() under the manifest's deadline and byte cap, answering in FetchLike's shape. */
const boundedManifestFetch: FetchLike = async (url) => {
  try {
    const bytes = await boundedFetch(url, { timeoutMs: MANIFEST_TIMEOUT_MS, maxBytes: MANIFEST_MAX_BYTES });
    return { ok: true, status: 200, statusText: 'OK', text: async () => new TextDecoder().decode(bytes) };
  } catch (error) {
    if (!(error instanceof BoundedFetchError)) throw error;
    const f = error.failure;
    if (f.kind === 'http') return { ok: false, status: f.status, statusText: f.statusText, text: async () => '' };
    if (f.kind === 'timeout' || f.kind === 'too_large') throw new ManifestError('unreadable', `model manifest ${url} ${error.message} (a manifest is a small JSON file): check the models URL`);
    throw error;
  }
};

/** Fetches and validates a manifest. Missing (network error, 404) and invalid are told apart by `kind`. */
export async function loadManifest(url: string, fetchImpl: FetchLike = boundedManifestFetch): Promise<ManifestV1> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchImpl(url);
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    throw new ManifestError('not_found', `model manifest ${url} could not be fetched: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const kind: ManifestErrorKind = response.status === 404 || response.status === 410 ? 'not_found' : 'unreadable';
    throw new ManifestError(kind, `model manifest ${url} could not be fetched: HTTP ${response.status} ${response.statusText}`.trim());
  }
  const text = await response.text();
  // Static servers often answer unknown paths with the app's index.html (SPA fallback).
  if (/^\s*</.test(text)) {
    throw new ManifestError('not_found', `model manifest ${url} was answered with an HTML page, not JSON: the model folder is probably missing`);
  }
  return parseManifest(text, ` ${url}`);
}

/** Absolute URL of a manifest file entry. */
export function resolveModelFile(manifestUrl: string, file: Pick<ModelFile, 'path'>): string {
  // Manifests are checked when loaded; this second check covers manifests built in code and
  // keeps any store from opening a file outside the folder whatever the caller did.
  const problem = containedPathProblem(file.path);
  const url = problem ? null : new URL(file.path, manifestUrl).href;
  if (!url || !urlIsInsideFolder(url, manifestUrl)) {
    throw new EngineError('MODEL_CORRUPT', `model file path ${JSON.stringify(file.path)} ${problem ?? 'resolves outside the model folder'}: the manifest may only name files inside its own folder; nothing was read`);
  }
  return url;
}

/** Total bytes of every file the manifest names. */
export function manifestBytes(manifest: ManifestV1): number {
  let total = 0;
  for (const name of COMPONENT_NAMES) for (const f of manifest.components[name]?.files ?? []) total += f.size;
  return total;
}

/** Component names present in the manifest, in pipeline order. */
export function presentComponents(manifest: ManifestV1): ComponentName[] {
  return COMPONENT_NAMES.filter((name) => manifest.components[name] !== undefined);
}
