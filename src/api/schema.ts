// fal-ai/trellis and fal-ai/trellis/multi input schema: field table, defaults, validation.
// Validation collects every problem and reports them in fal's 422 shape.
import {
  ENDPOINT_MULTI,
  ENDPOINT_SINGLE,
  type EndpointId,
  type ImageInput,
  type MultiImageAlgo,
  type NormalizedFor,
  type NormalizedMultiRequest,
  type NormalizedTrellisRequest,
  type TextureSize,
  type ValidationIssue,
} from './types.ts';
import { ValidationError } from './validation-error.ts';

export const ENDPOINT_IDS: readonly EndpointId[] = [ENDPOINT_SINGLE, ENDPOINT_MULTI];
export const TEXTURE_SIZES: readonly TextureSize[] = [512, 1024, 2048];
export const MULTIIMAGE_ALGOS: readonly MultiImageAlgo[] = ['stochastic', 'multidiffusion'];
export const IMAGE_URL_SCHEMES = ['http:', 'https:', 'data:', 'blob:'] as const;
/** Seeds are non-negative integers exactly representable in JS (only the low 32 bits reach the RNG). */
export const SEED_MAX = Number.MAX_SAFE_INTEGER;
/**
 * Most images one multi request may carry (fal documents no limit; every image costs a DINOv2
 * pass and memory, and the reference demo uses up to 4). Checked before the items, so a huge
 * list is one short error, not one error per entry.
 */
export const MAX_IMAGE_URLS = 16;
/** Range of seeds drawn when the request has none (the reference demo's randint(0, 2^31 - 1)). */
export const RANDOM_SEED_MAX = 2 ** 31 - 1;

export interface NumberFieldSpec {
  name: string;
  kind: 'float' | 'int';
  min: number;
  max: number;
  default?: number;
  description: string;
}

export interface EnumFieldSpec {
  name: string;
  kind: 'enum';
  options: readonly (string | number)[];
  default: string | number;
  description: string;
}

export type ParamFieldSpec = NumberFieldSpec | EnumFieldSpec;

/** The tunable parameters shared by both endpoints, in fal's order (for forms and docs). */
export const COMMON_FIELDS: readonly ParamFieldSpec[] = [
  { name: 'seed', kind: 'int', min: 0, max: SEED_MAX, description: 'Random seed for reproducibility (random when empty). Only the low 32 bits are used: seeds that differ by a multiple of 2^32 give the same result.' },
  { name: 'ss_guidance_strength', kind: 'float', min: 0, max: 10, default: 7.5, description: 'Guidance strength for sparse structure generation.' },
  { name: 'ss_sampling_steps', kind: 'int', min: 1, max: 50, default: 12, description: 'Sampling steps for sparse structure generation.' },
  { name: 'slat_guidance_strength', kind: 'float', min: 0, max: 10, default: 3, description: 'Guidance strength for structured latent generation.' },
  { name: 'slat_sampling_steps', kind: 'int', min: 1, max: 50, default: 12, description: 'Sampling steps for structured latent generation.' },
  { name: 'mesh_simplify', kind: 'float', min: 0.9, max: 0.98, default: 0.95, description: 'Mesh simplification factor.' },
  { name: 'texture_size', kind: 'enum', options: TEXTURE_SIZES, default: 1024, description: 'Texture resolution.' },
];

export const MULTI_FIELDS: readonly ParamFieldSpec[] = [
  ...COMMON_FIELDS,
  { name: 'multiimage_algo', kind: 'enum', options: MULTIIMAGE_ALGOS, default: 'stochastic', description: 'Algorithm for combining several views.' },
];

const SINGLE_FIELD_NAMES = ['image_url', ...COMMON_FIELDS.map((f) => f.name)];
const MULTI_FIELD_NAMES = ['image_urls', ...MULTI_FIELDS.map((f) => f.name)];

export function isEndpointId(id: unknown): id is EndpointId {
  return typeof id === 'string' && (ENDPOINT_IDS as readonly string[]).includes(id);
}

/** Throws a clear error for an endpoint id this implementation does not serve. */
export function assertEndpointId(id: unknown): asserts id is EndpointId {
  if (!isEndpointId(id)) {
    throw new Error(
      `unknown endpoint ${JSON.stringify(id)}: this implementation serves ${ENDPOINT_IDS.map((e) => `"${e}"`).join(' and ')}`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return `${typeof value} ${String(value)}`;
}

/** Collects issues for one request. */
class IssueList {
  readonly issues: ValidationIssue[] = [];
  add(loc: (string | number)[], type: string, msg: string, ctx?: Record<string, unknown>): void {
    const issue: ValidationIssue = { loc: ['body', ...loc], msg, type };
    if (ctx) issue.ctx = ctx;
    this.issues.push(issue);
  }
}

function checkNumber(spec: NumberFieldSpec, value: unknown, issues: IssueList): number | undefined {
  const loc = [spec.name];
  const range = `between ${spec.min} and ${spec.max} inclusive`;
  if (typeof value !== 'number') {
    const want = spec.kind === 'int' ? 'an integer' : 'a number';
    issues.add(loc, spec.kind === 'int' ? 'int_type' : 'float_type', `${spec.name} must be ${want} ${range}, got ${describe(value)}`);
    return undefined;
  }
  if (!Number.isFinite(value)) {
    issues.add(loc, 'finite_number', `${spec.name} must be a finite number ${range}, got ${value}`);
    return undefined;
  }
  if (spec.kind === 'int' && !Number.isInteger(value)) {
    issues.add(loc, 'int_from_float', `${spec.name} must be a whole number ${range}, got ${value}`);
    return undefined;
  }
  if (value < spec.min) {
    issues.add(loc, 'greater_than_equal', `${spec.name} must be ${range}, got ${value}`, { ge: spec.min, le: spec.max });
    return undefined;
  }
  if (value > spec.max) {
    issues.add(loc, 'less_than_equal', `${spec.name} must be ${range}, got ${value}`, { ge: spec.min, le: spec.max });
    return undefined;
  }
  return value;
}

function checkTextureSize(value: unknown, issues: IssueList): TextureSize | undefined {
  // fal documents the values as strings and fal-js as numbers; accept the canonical spelling of either.
  const asNumber = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if ((TEXTURE_SIZES as readonly number[]).includes(asNumber)) return asNumber as TextureSize;
  issues.add(['texture_size'], 'enum', `texture_size must be one of 512, 1024, 2048 (number or string), got ${describe(value)}`, {
    expected: TEXTURE_SIZES.join(', '),
  });
  return undefined;
}

function checkAlgo(value: unknown, issues: IssueList): MultiImageAlgo | undefined {
  if (typeof value === 'string' && (MULTIIMAGE_ALGOS as readonly string[]).includes(value)) return value as MultiImageAlgo;
  issues.add(['multiimage_algo'], 'enum', `multiimage_algo must be one of "stochastic", "multidiffusion", got ${describe(value)}`, {
    expected: MULTIIMAGE_ALGOS.join(', '),
  });
  return undefined;
}

function isImageObject(value: unknown): value is Blob | ImageBitmap {
  if (typeof Blob !== 'undefined' && value instanceof Blob) return true;
  return typeof ImageBitmap !== 'undefined' && value instanceof ImageBitmap;
}

function checkImage(value: unknown, loc: (string | number)[], issues: IssueList): ImageInput | undefined {
  const field = typeof loc[1] === 'number' ? `${loc[0]}[${loc[1]}]` : String(loc[0]);
  if (isImageObject(value)) return value;
  if (typeof value !== 'string') {
    issues.add(loc, 'url_type', `${field} must be an http(s), data: or blob: URL string (or, from JavaScript, a File, Blob or ImageBitmap), got ${describe(value)}`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    issues.add(loc, 'url_parsing', `${field} is not a valid absolute URL: expected http(s)://..., data:... or blob:..., got ${describe(value)}`);
    return undefined;
  }
  if (!(IMAGE_URL_SCHEMES as readonly string[]).includes(url.protocol)) {
    issues.add(loc, 'url_scheme', `${field} uses the unsupported scheme "${url.protocol}"; allowed: http:, https:, data:, blob:`, {
      expected_schemes: IMAGE_URL_SCHEMES.join(', '),
    });
    return undefined;
  }
  return value;
}

function checkImageList(value: unknown, issues: IssueList): ImageInput[] | undefined {
  if (!Array.isArray(value)) {
    issues.add(['image_urls'], 'list_type', `image_urls must be a list of image URLs, got ${describe(value)}`);
    return undefined;
  }
  if (value.length === 0) {
    issues.add(['image_urls'], 'too_short', 'image_urls must contain at least 1 image, got an empty list', { min_length: 1 });
    return undefined;
  }
  if (value.length > MAX_IMAGE_URLS) {
    issues.add(['image_urls'], 'too_long', `image_urls may contain at most ${MAX_IMAGE_URLS} images, got ${value.length}`, { max_length: MAX_IMAGE_URLS });
    return undefined;
  }
  const out: ImageInput[] = [];
  let ok = true;
  value.forEach((item, i) => {
    const image = checkImage(item, ['image_urls', i], issues);
    if (image === undefined) ok = false;
    else out.push(image);
  });
  return ok ? out : undefined;
}

function numberSpec(name: string): NumberFieldSpec {
  const spec = COMMON_FIELDS.find((f) => f.name === name);
  if (!spec || spec.kind === 'enum') throw new Error(`no numeric field ${name}`);
  return spec;
}

function checkCommon(raw: Record<string, unknown>, issues: IssueList): Partial<NormalizedTrellisRequest> {
  const out: Record<string, unknown> = {};
  for (const spec of COMMON_FIELDS) {
    const value = raw[spec.name];
    // A JS `undefined` means "not given"; JSON null is accepted only for the nullable seed.
    if (value === undefined || (spec.name === 'seed' && value === null)) {
      if (spec.default !== undefined) out[spec.name] = spec.default;
      continue;
    }
    out[spec.name] = spec.kind === 'enum' ? checkTextureSize(value, issues) : checkNumber(numberSpec(spec.name), value, issues);
  }
  return out as Partial<NormalizedTrellisRequest>;
}

function checkUnknown(raw: Record<string, unknown>, allowed: string[], endpoint: EndpointId, issues: IssueList): void {
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key) || raw[key] === undefined) continue;
    let hint = '';
    if (key === 'image_urls' && endpoint === ENDPOINT_SINGLE) hint = ' (image_urls belongs to fal-ai/trellis/multi)';
    if ((key === 'image_url' || key === 'multiimage_algo') && endpoint === ENDPOINT_MULTI) hint = ' (use image_urls: [...] on fal-ai/trellis/multi)';
    if (key === 'multiimage_algo' && endpoint === ENDPOINT_SINGLE) hint = ' (multiimage_algo belongs to fal-ai/trellis/multi)';
    issues.add([key], 'extra_forbidden', `unknown field "${key}"${hint}; allowed fields for ${endpoint}: ${allowed.join(', ')}`);
  }
}

function checkObject(raw: unknown, issues: IssueList): raw is Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || isImageObject(raw)) {
    issues.issues.push({ loc: ['body'], msg: `request input must be a JSON object, got ${describe(raw)}`, type: 'model_type' });
    return false;
  }
  return true;
}

export type CheckResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export function checkTrellisInput(raw: unknown): CheckResult<NormalizedTrellisRequest> {
  const issues = new IssueList();
  if (!checkObject(raw, issues)) return { ok: false, issues: issues.issues };
  checkUnknown(raw, SINGLE_FIELD_NAMES, ENDPOINT_SINGLE, issues);
  let image: ImageInput | undefined;
  if (raw.image_url === undefined) issues.add(['image_url'], 'missing', 'image_url is required (an http(s), data: or blob: URL)');
  else image = checkImage(raw.image_url, ['image_url'], issues);
  const common = checkCommon(raw, issues);
  if (issues.issues.length > 0) return { ok: false, issues: issues.issues };
  return { ok: true, value: { image_url: image!, ...(common as Omit<NormalizedTrellisRequest, 'image_url'>) } };
}

export function checkMultiInput(raw: unknown): CheckResult<NormalizedMultiRequest> {
  const issues = new IssueList();
  if (!checkObject(raw, issues)) return { ok: false, issues: issues.issues };
  checkUnknown(raw, MULTI_FIELD_NAMES, ENDPOINT_MULTI, issues);
  let images: ImageInput[] | undefined;
  if (raw.image_urls === undefined) issues.add(['image_urls'], 'missing', 'image_urls is required (a non-empty list of image URLs)');
  else images = checkImageList(raw.image_urls, issues);
  const common = checkCommon(raw, issues);
  const algo: MultiImageAlgo | undefined = raw.multiimage_algo === undefined ? 'stochastic' : checkAlgo(raw.multiimage_algo, issues);
  if (issues.issues.length > 0) return { ok: false, issues: issues.issues };
  return {
    ok: true,
    value: { image_urls: images!, ...(common as Omit<NormalizedMultiRequest, 'image_urls' | 'multiimage_algo'>), multiimage_algo: algo! },
  };
}

export function checkInput<E extends EndpointId>(endpoint: E, raw: unknown): CheckResult<NormalizedFor[E]> {
  assertEndpointId(endpoint);
  return (endpoint === ENDPOINT_SINGLE ? checkTrellisInput(raw) : checkMultiInput(raw)) as CheckResult<NormalizedFor[E]>;
}

/** Returns the normalised request (defaults filled, seed left absent if not given) or throws ValidationError. */
export function validateInput<E extends EndpointId>(endpoint: E, raw: unknown): NormalizedFor[E] {
  const result = checkInput(endpoint, raw);
  if (!result.ok) throw new ValidationError(result.issues);
  return result.value;
}

export const validateTrellisInput = (raw: unknown): NormalizedTrellisRequest => validateInput(ENDPOINT_SINGLE, raw);
export const validateMultiInput = (raw: unknown): NormalizedMultiRequest => validateInput(ENDPOINT_MULTI, raw);

/** A uniformly random seed in [0, 2^31 - 1], like the reference demo's "randomize seed". */
export function randomSeed(): number {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0]! & RANDOM_SEED_MAX;
}
