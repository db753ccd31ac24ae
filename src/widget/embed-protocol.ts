// The iframe embed's postMessage protocol. Only messages from origins the host page listed are
// accepted; payloads are treated as plain data (validated, never evaluated or inserted as HTML).
//
// host -> embed: { type: 'trellis:generate', id, input }   input = a fal request (image_url or
//                                                          image_urls + parameters; Blobs allowed)
//                { type: 'trellis:cancel', id? }
// embed -> host: { type: 'trellis:ready', version: 1 }
//                { type: 'trellis:progress', id, event }
//                { type: 'trellis:result', id, result }    fal's result; model_mesh.file_data is
//                                                          the GLB Blob (the url is only valid
//                                                          inside the embed's origin)
//                { type: 'trellis:error', id, error: { code, message, detail? } }

export const PROTOCOL_VERSION = 1;

export type EmbedRequest =
  | { type: 'trellis:generate'; id: string | number; input: Record<string, unknown> }
  | { type: 'trellis:cancel'; id?: string | number };

/**
 * Parses the host's allow list (?allow=https://a.example,https://b.example): each entry must be a
 * bare http(s) origin. Wildcards are refused, so a page can never accept everyone by accident.
 */
export function parseAllowedOrigins(value: string | null): { origins: string[]; problems: string[] } {
  const origins: string[] = [];
  const problems: string[] = [];
  for (const raw of (value ?? '').split(/[\s,]+/).filter(Boolean)) {
    if (raw === '*') {
      problems.push('"*" is not accepted: list each host origin explicitly');
      continue;
    }
    // new URL() takes "https://*.example.com" as a host named "*.example.com", which no page has:
    // say so instead of silently allowing nobody.
    if (raw.includes('*')) {
      problems.push(`"${raw}": wildcards are not supported; list each host origin explicitly (e.g. https://www.example.com)`);
      continue;
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      problems.push(`"${raw}" is not an origin (expected e.g. https://host.example)`);
      continue;
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== raw.replace(/\/$/, '')) {
      problems.push(`"${raw}" is not a bare http(s) origin (scheme://host[:port], no path)`);
      continue;
    }
    origins.push(url.origin);
  }
  return { origins, problems };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const isId = (v: unknown): v is string | number => (typeof v === 'string' && v.length <= 200) || (typeof v === 'number' && Number.isFinite(v));

export type ParseResult = { ok: true; request: EmbedRequest } | { ok: false; reason: string };

/** Accepts only the two request shapes; everything else is named and dropped. */
export function parseEmbedRequest(data: unknown): ParseResult {
  if (!isPlainObject(data)) return { ok: false, reason: 'message is not a plain object' };
  if (data.type === 'trellis:cancel') {
    if (data.id !== undefined && !isId(data.id)) return { ok: false, reason: 'trellis:cancel id must be a string or number' };
    return { ok: true, request: { type: 'trellis:cancel', ...(data.id !== undefined ? { id: data.id } : {}) } };
  }
  if (data.type === 'trellis:generate') {
    if (!isId(data.id)) return { ok: false, reason: 'trellis:generate needs an id (string or number) to match the answer to' };
    if (!isPlainObject(data.input)) return { ok: false, reason: 'trellis:generate needs an input object (a fal request)' };
    return { ok: true, request: { type: 'trellis:generate', id: data.id, input: data.input } };
  }
  return { ok: false, reason: `unknown message type ${JSON.stringify(typeof data.type === 'string' ? data.type.slice(0, 60) : typeof data.type)}` };
}

/**
 * Whether a trellis:cancel applies to the running request: one without an id cancels whatever
 * runs; one with an id only that request (a stale cancel must not stop a newer generation).
 */
export function cancelApplies(cancelId: string | number | undefined, runningId: string | number | null): boolean {
  if (runningId === null) return false;
  return cancelId === undefined || cancelId === runningId;
}

/** Whether a message event may be acted on: from the embedding window and an allowed origin. */
export function acceptsOrigin(origin: string, allowed: readonly string[]): boolean {
  return allowed.includes(origin);
}
