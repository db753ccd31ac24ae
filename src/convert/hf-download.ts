// Downloads files of a Hugging Face model repo over HTTP with resume (Range requests on a
// `.part` file) and byte progress. The endpoint follows HF's own HF_ENDPOINT convention, so
// tests serve a fixture repo from 127.0.0.1.

import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { containedPathProblem } from '../models/contained-path.ts';

/** No bytes for this long and the download fails (resumable); an idle limit, files are GBs. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 60_000;
/** Byte caps: JSON files (pipeline.json, configs) are KBs; checkpoints up to a few GB. */
export const DOWNLOAD_MAX_JSON_BYTES = 16_000_000;
export const DOWNLOAD_MAX_BYTES = 16_000_000_000;

export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number | null;
}

export interface DownloadOptions {
  endpoint?: string;
  revision?: string;
  token?: string;
  onProgress?: (p: DownloadProgress) => void;
  fetchImpl?: typeof fetch;
  /** Default DOWNLOAD_IDLE_TIMEOUT_MS. */
  idleTimeoutMs?: number;
  /** Default DOWNLOAD_MAX_JSON_BYTES for *.json, DOWNLOAD_MAX_BYTES otherwise. */
  maxBytes?: number;
}

export class DownloadError extends Error {
  constructor(readonly url: string, message: string, readonly status?: number) {
    super(`${url}: ${message}`);
    this.name = 'DownloadError';
  }
}

export function hfEndpoint(opts: DownloadOptions = {}): string {
  return (opts.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
}

export function hfFileUrl(repo: string, file: string, opts: DownloadOptions = {}): string {
  const rev = opts.revision ?? 'main';
  return `${hfEndpoint(opts)}/${repo}/resolve/${encodeURIComponent(rev)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Download `file` of `repo` into `outDir/file`. A complete file is kept; a `.part` file is
 * resumed. Returns the local path.
 */
export async function downloadHfFile(repo: string, file: string, outDir: string, opts: DownloadOptions = {}): Promise<string> {
  // Names come from the downloaded pipeline.json: one naming ../../x would fetch and write
  // outside the cache folder. The same rule as manifest paths, then a resolved-path check.
  const problem = containedPathProblem(file);
  const target = path.resolve(outDir, file);
  const rel = path.relative(path.resolve(outDir), target);
  if (problem || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new DownloadError(hfFileUrl(repo, 'pipeline.json', opts), `refusing to download ${JSON.stringify(file)}: the name ${problem ?? 'resolves outside the download folder'}; a repo may only name files inside itself`);
  }
  if (existsSync(target)) return target;
  mkdirSync(path.dirname(target), { recursive: true });
  const part = `${target}.part`;
  const url = hfFileUrl(repo, file, opts);
  const doFetch = opts.fetchImpl ?? fetch;
  let have = existsSync(part) ? statSync(part).size : 0;
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (have > 0) headers.range = `bytes=${have}-`;
  const idleMs = opts.idleTimeoutMs ?? DOWNLOAD_IDLE_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? (file.endsWith('.json') ? DOWNLOAD_MAX_JSON_BYTES : DOWNLOAD_MAX_BYTES);
  const stall = new AbortController();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      stall.abort();
    }, idleMs);
  };
  const stalledMessage = () => `no data for ${idleMs / 1000} s (server not answering); partial data kept in ${part}, run again to resume`;
  touch();
  let res: Response;
  try {
    res = await doFetch(url, { headers, redirect: 'follow', signal: stall.signal });
  } catch (e) {
    clearTimeout(timer);
    if (stalled) throw new DownloadError(url, stalledMessage());
    throw new DownloadError(url, `request failed (${(e as Error).message}); partial data kept in ${part}, run again to resume`);
  }
  try {
    return await receive();
  } finally {
    clearTimeout(timer);
  }

  async function receive(): Promise<string> {
    if (res.status === 416 && have > 0) {
      // The part file already holds everything the server has.
      renameSync(part, target);
      return target;
    }
    if (!res.ok) {
      const hint = res.status === 401 || res.status === 403 ? ' (gated or private repo: set HF_TOKEN)' : res.status === 404 ? ' (no such repo or file)' : '';
      throw new DownloadError(url, `HTTP ${res.status}${hint}`, res.status);
    }
    if (have > 0 && res.status !== 206) {
      // Server ignored the range: start over.
      unlinkSync(part);
      have = 0;
    }
    const len = res.headers.get('content-length');
    const total = len !== null ? have + Number(len) : null;
    if (total !== null && total > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new DownloadError(url, `is ${total} bytes, more than the ${maxBytes} allowed for ${file}; refusing to download it`);
    }
    const out = createWriteStream(part, { flags: have > 0 ? 'a' : 'w' });
    let loaded = have;
    opts.onProgress?.({ file, loaded, total });
    try {
      if (!res.body) throw new DownloadError(url, 'empty response body');
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        if (loaded + chunk.byteLength > maxBytes) throw new DownloadError(url, `sent more than the ${maxBytes} bytes allowed for ${file}; refusing the rest`);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        loaded += chunk.byteLength;
        opts.onProgress?.({ file, loaded, total });
      }
    } catch (e) {
      await new Promise<void>((r) => out.end(() => r()));
      if (e instanceof DownloadError) throw e;
      if (stalled) throw new DownloadError(url, `connection stalled after ${loaded} bytes: ${stalledMessage()}`);
      throw new DownloadError(url, `connection lost after ${loaded} bytes (${(e as Error).message}); run again to resume`);
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (total !== null && loaded !== total) {
      throw new DownloadError(url, `got ${loaded} of ${total} bytes; run again to resume`);
    }
    renameSync(part, target);
    return target;
  }
}

/** A one-line terminal progress bar on stderr. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): (p: DownloadProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    const done = p.total !== null && p.loaded >= p.total;
    if (!done && now - last < 200) return;
    last = now;
    const mb = (b: number) => (b / 1e6).toFixed(1);
    const frac = p.total ? p.loaded / p.total : 0;
    const width = 30;
    const bar = p.total ? '#'.repeat(Math.round(frac * width)).padEnd(width, ' ') : '?'.repeat(width);
    const line = `[${bar}] ${p.total ? `${(frac * 100).toFixed(0).padStart(3)}%` : '   '} ${mb(p.loaded)}${p.total ? `/${mb(p.total)}` : ''} MB ${p.file}`;
    if (stream.isTTY) stream.write(`\r${line}`);
    else if (done) stream.write(`${line}\n`);
    if (done && stream.isTTY) stream.write('\n');
  };
}
