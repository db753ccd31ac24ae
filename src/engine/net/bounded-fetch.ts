// One HTTP(S)/data: read with a deadline and a byte cap, for every network read the engine makes
// (images, manifests, model files). Without both, a server that accepts and never answers hangs
// a generation forever, and a huge body is buffered whole before anything can reject it.
// Failures come back as BoundedFetchError with a kind; callers turn them into their own codes.

export type BoundedFailure =
  | { kind: 'timeout'; ms: number }
  | { kind: 'too_large'; maxBytes: number; bytes: number | null }
  | { kind: 'cancelled' }
  | { kind: 'network'; message: string }
  | { kind: 'http'; status: number; statusText: string };

export class BoundedFetchError extends Error {
  override readonly name = 'BoundedFetchError';
  constructor(readonly failure: BoundedFailure, message: string) {
    super(message);
  }
}

export type FetchFn = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface BoundedFetchOptions {
  /** Whole-read deadline, or (idle: true) the longest wait for the next bytes. */
  timeoutMs: number;
  idle?: boolean;
  maxBytes: number;
  /** Allocate maxBytes once and stream into it (model files, whose size the manifest gives). */
  preallocate?: boolean;
  signal?: AbortSignal;
  onBytes?: (loaded: number) => void;
  fetchFn?: FetchFn;
}

export const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
export const megabytes = (bytes: number): string => (bytes < 100_000 ? `${bytes} bytes` : `${Math.round(bytes / 1e5) / 10} MB`);

/** A timer that aborts its signal; re-armed on every chunk when idle. */
function deadline(ms: number, parent?: AbortSignal): { signal: AbortSignal; fired: () => boolean; touch: () => void; clear: () => void } {
  const controller = new AbortController();
  let fired = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      fired = true;
      controller.abort(new DOMException('timed out', 'TimeoutError'));
    }, ms);
  };
  const onParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  arm();
  return {
    signal: controller.signal,
    fired: () => fired,
    touch: arm,
    clear: () => {
      if (timer !== undefined) clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

export async function boundedFetch(url: string, opts: BoundedFetchOptions): Promise<Uint8Array> {
  const fetchFn: FetchFn = opts.fetchFn ?? ((u, i) => fetch(u, i));
  const clock = deadline(opts.timeoutMs, opts.signal);
  const fail = (error: unknown): never => {
    if (error instanceof BoundedFetchError) throw error;
    if (opts.signal?.aborted) throw new BoundedFetchError({ kind: 'cancelled' }, 'cancelled');
    if (clock.fired()) {
      throw new BoundedFetchError({ kind: 'timeout', ms: opts.timeoutMs }, opts.idle ? `no data for ${seconds(opts.timeoutMs)}` : `timed out after ${seconds(opts.timeoutMs)}`);
    }
    // undici hides the reason in `cause` ("fetch failed": ECONNREFUSED, bad data: URL...).
    const e = error as Error & { cause?: { message?: string; code?: string } };
    const why = e.cause?.code ?? e.cause?.message;
    throw new BoundedFetchError({ kind: 'network', message: e.message }, why && why !== e.message ? `${e.message} (${why})` : e.message || String(error));
  };
  try {
    let response: Response;
    try {
      response = await fetchFn(url, { signal: clock.signal });
    } catch (error) {
      return fail(error);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new BoundedFetchError({ kind: 'http', status: response.status, statusText: response.statusText }, `HTTP ${response.status} ${response.statusText}`.trim());
    }
    const tooLarge = (bytes: number | null) => new BoundedFetchError({ kind: 'too_large', maxBytes: opts.maxBytes, bytes }, `larger than ${megabytes(opts.maxBytes)}`);
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(declared);
    }
    return await readBody(response, opts, clock, tooLarge).catch(fail);
  } finally {
    clock.clear();
  }
}

async function readBody(response: Response, opts: BoundedFetchOptions, clock: { signal: AbortSignal; touch: () => void }, tooLarge: (bytes: number | null) => BoundedFetchError): Promise<Uint8Array> {
  if (!response.body) {
    const all = new Uint8Array(await response.arrayBuffer());
    if (all.byteLength > opts.maxBytes) throw tooLarge(all.byteLength);
    opts.onBytes?.(all.byteLength);
    return all;
  }
  const reader = response.body.getReader();
  // A stalled body does not always notice the abort; cancel the reader so read() settles.
  const onAbort = () => void reader.cancel(clock.signal.reason).catch(() => undefined);
  clock.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const whole = opts.preallocate ? new Uint8Array(opts.maxBytes) : null;
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      if (clock.signal.aborted) throw clock.signal.reason;
      const { done, value } = await reader.read();
      if (clock.signal.aborted) throw clock.signal.reason;
      if (done) break;
      if (loaded + value.byteLength > opts.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(null);
      }
      if (whole) whole.set(value, loaded);
      else chunks.push(value);
      loaded += value.byteLength;
      if (opts.idle) clock.touch();
      opts.onBytes?.(loaded);
    }
    if (whole) return loaded === whole.byteLength ? whole : whole.subarray(0, loaded);
    const out = new Uint8Array(loaded);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  } finally {
    clock.signal.removeEventListener('abort', onAbort);
  }
}
