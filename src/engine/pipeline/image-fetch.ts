// Fetching an image URL (http(s), data:, blob:) under the image limits: a deadline for the whole
// read and a byte cap, both configurable (client option imageLimits, CLI --fetch-timeout and
// --max-image-mb). Every failure is BAD_IMAGE saying what went wrong and what to change.
import { EngineError } from '../errors.ts';
import { boundedFetch, BoundedFetchError, megabytes, seconds, type FetchFn } from '../net/bounded-fetch.ts';

export interface ImageLimits {
  /** Deadline for fetching one image URL, headers and body together. */
  fetchTimeoutMs: number;
  /** Largest image body (encoded bytes) accepted. */
  maxImageBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = { fetchTimeoutMs: 30_000, maxImageBytes: 32_000_000 };

/** Validates user-supplied limits (client option, worker message); missing fields take the defaults. */
export function resolveImageLimits(value: unknown): ImageLimits {
  if (value === undefined) return { ...DEFAULT_IMAGE_LIMITS };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EngineError('BAD_REQUEST', `imageLimits must be an object { fetchTimeoutMs?, maxImageBytes? }, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (key !== 'fetchTimeoutMs' && key !== 'maxImageBytes') throw new EngineError('BAD_REQUEST', `imageLimits.${key} is not a limit; allowed: fetchTimeoutMs, maxImageBytes`);
  }
  const out = { ...DEFAULT_IMAGE_LIMITS };
  for (const key of ['fetchTimeoutMs', 'maxImageBytes'] as const) {
    const x = v[key];
    if (x === undefined) continue;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > 2 ** 31 - 1) {
      throw new EngineError('BAD_REQUEST', `imageLimits.${key} must be a whole number between 1 and ${2 ** 31 - 1}, got ${JSON.stringify(x)}`);
    }
    out[key] = x;
  }
  return out;
}

const short = (url: string): string => (url.length > 100 ? `${url.slice(0, 97)}...` : url);

/** data: URLs are checked here, because fetch() reports a malformed one only as "fetch failed". */
function dataUrlProblem(url: string, limits: ImageLimits): { code: 'syntax' | 'size'; text: string } | null {
  const comma = url.indexOf(',');
  if (comma < 0) return { code: 'syntax', text: 'is not a valid data: URL (no comma: expected data:image/png;base64,<data>)' };
  const header = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  const base64 = /;base64$/i.test(header);
  if (base64 && !/^[A-Za-z0-9+/=\s%]*$/.test(payload)) return { code: 'syntax', text: 'is not a valid data: URL (the base64 payload has characters outside A-Z a-z 0-9 + / =)' };
  const bytes = base64 ? Math.floor((payload.length * 3) / 4) : payload.length;
  if (bytes > limits.maxImageBytes) return { code: 'size', text: `is larger than ${megabytes(limits.maxImageBytes)} (about ${megabytes(bytes)})` };
  if (bytes === 0) return { code: 'syntax', text: 'is an empty data: URL (no image bytes after the comma)' };
  return null;
}

export async function fetchImageBytes(url: string, name: string, limits: ImageLimits, signal?: AbortSignal, fetchFn?: FetchFn): Promise<Uint8Array> {
  if (url.startsWith('data:')) {
    const problem = dataUrlProblem(url, limits);
    if (problem?.code === 'syntax') throw new EngineError('BAD_IMAGE', `${name}: ${short(url)} ${problem.text}`);
    if (problem) throw new EngineError('BAD_IMAGE', `${name}: the data: URL ${problem.text}; send a smaller image (or raise maxImageBytes / --max-image-mb)`);
  }
  try {
    return await boundedFetch(url, { timeoutMs: limits.fetchTimeoutMs, maxBytes: limits.maxImageBytes, ...(signal ? { signal } : {}), ...(fetchFn ? { fetchFn } : {}) });
  } catch (error) {
    if (!(error instanceof BoundedFetchError)) throw error;
    const f = error.failure;
    switch (f.kind) {
      case 'cancelled':
        throw new EngineError('CANCELLED', 'generation cancelled');
      case 'timeout':
        throw new EngineError('BAD_IMAGE', `${name}: fetching ${short(url)} timed out after ${seconds(f.ms)}: the server did not send the whole image in time; check the URL or raise fetchTimeoutMs / --fetch-timeout`);
      case 'too_large':
        throw new EngineError('BAD_IMAGE', `${name}: ${short(url)} is larger than ${megabytes(f.maxBytes)}${f.bytes ? ` (${megabytes(f.bytes)})` : ''}; send a smaller image (or raise maxImageBytes / --max-image-mb)`);
      case 'http':
        throw new EngineError('BAD_IMAGE', `${name}: fetching ${short(url)} gave HTTP ${f.status}${f.statusText ? ` ${f.statusText}` : ''}; check that the URL points at a PNG or JPEG`);
      case 'network':
        throw new EngineError('BAD_IMAGE', `${name}: could not fetch ${short(url)}: ${error.message}`, { cause: error });
    }
  }
}
