// Shared pieces of the reliability corpus: a stand-in model folder (engine-fixture's fast graphs),
// a Node JS-API client running the real engine on it, test images, loopback servers that
// misbehave on purpose, and the survival check (a valid generation still gives the baseline GLB).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { expect } from 'vitest';
import { createTrellis, type TrellisClient } from '../../src/api/client.ts';
import { ValidationError } from '../../src/api/validation-error.ts';
import { TrellisEngine } from '../../src/engine/engine.ts';
import { EngineError } from '../../src/engine/errors.ts';
import { FsStore } from '../../src/engine/model-store/fs-store.ts';
import { createNodeImageDecoder } from '../../src/engine/pipeline/image-source-node.ts';
import { createWorkerApi } from '../../src/engine/worker-api.ts';
import { ManifestError, type FetchLike } from '../../src/models/manifest.ts';
import { writeFakeModelFolder } from '../unit/engine-fixture.ts';

/** Small limits so timeout and size cases take a second, not the 30 s default. */
export const TEST_LIMITS = { fetchTimeoutMs: 1500, maxImageBytes: 1_000_000 };
/** The survival request: small, deterministic. */
export const GOOD_PARAMS = { seed: 7, ss_sampling_steps: 2, slat_sampling_steps: 2, texture_size: 512, mesh_simplify: 0.9 } as const;

export function pngBytes(w = 64, h = 48, transparent = true): Uint8Array {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = ((x - w / 2) / (w / 3)) ** 2 + ((y - h / 2) / (h / 3)) ** 2 < 1;
      p.data.set([200, (x * 3) & 255, 60, inside || !transparent ? 255 : 0], (y * w + x) * 4);
    }
  }
  return new Uint8Array(PNG.sync.write(p));
}

export const dataUrl = (bytes: Uint8Array, mime = 'image/png'): string => `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

/** Reads manifests from file:// URLs (fetch() in Node does not). */
export const fileManifestFetch: FetchLike = async (url) => {
  let text: string;
  try {
    text = readFileSync(new URL(url), 'utf8');
  } catch (e) {
    throw new ManifestError('not_found', `model manifest ${url} could not be read: ${(e as Error).message}`);
  }
  return { ok: true, status: 200, statusText: 'OK', text: async () => text };
};

export function nodeClient(modelsDir: string, opts: { limits?: typeof TEST_LIMITS } = {}): TrellisClient {
  const runner = createWorkerApi(
    async (o) => new TrellisEngine({ device: 'wasm', manifest: o.manifest, store: new FsStore(), decodeImage: createNodeImageDecoder(o.imageLimits) }),
    { capabilities: async () => ({ webgpuApi: false, adapter: null, crossOriginIsolated: false, hardwareConcurrency: 1 }), fetch: fileManifestFetch },
  );
  return createTrellis({ modelsUrl: pathToFileURL(`${modelsDir}/`).href, runner, imageLimits: opts.limits ?? TEST_LIMITS });
}

export interface Corpus {
  dir: string;
  models: string;
  image: Uint8Array;
  imageUrl: string;
  client: TrellisClient;
  baseline: Uint8Array;
  cleanup(): Promise<void>;
}

export async function glbOf(client: TrellisClient, imageUrl: string): Promise<Uint8Array> {
  const result = await client.generate({ image_url: imageUrl, ...GOOD_PARAMS });
  const bytes = new Uint8Array(await result.model_mesh.file_data!.arrayBuffer());
  client.release(result);
  return bytes;
}

export async function setupCorpus(prefix: string): Promise<Corpus> {
  const dir = mkdtempSync(path.join(tmpdir(), `trellis-rel-${prefix}-`));
  const models = path.join(dir, 'models');
  writeFakeModelFolder(models);
  const image = pngBytes();
  const imageUrl = dataUrl(image);
  const client = nodeClient(models);
  const baseline = await glbOf(client, imageUrl);
  return {
    dir,
    models,
    image,
    imageUrl,
    client,
    baseline,
    async cleanup() {
      await client.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The engine survived: a valid generation gives the baseline GLB, byte for byte. */
export async function expectSurvives(c: Corpus): Promise<void> {
  const again = await glbOf(c.client, c.imageUrl);
  expect(again.byteLength).toBe(c.baseline.byteLength);
  expect(Buffer.from(again).equals(Buffer.from(c.baseline))).toBe(true);
}

/** An error as {code, message}: EngineError codes, VALIDATION for fal's 422. */
export function described(error: unknown): { code: string; message: string } {
  if (error instanceof EngineError) return { code: error.code, message: error.message };
  if (error instanceof ValidationError) return { code: 'VALIDATION', message: error.message };
  if (error instanceof Error) return { code: `${error.name}`, message: error.message };
  return { code: 'NON_ERROR', message: String(error) };
}

export async function failure(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; message: string }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (error) {
    return described(error);
  }
  throw new Error('expected a failure, the call succeeded');
}

export interface Case {
  name: string;
  code: string;
  message: string | RegExp;
}

export function expectFailure(got: { code: string; message: string }, c: Pick<Case, 'code' | 'message'>): void {
  expect(got.code, got.message).toBe(c.code);
  if (typeof c.message === 'string') expect(got.message).toContain(c.message);
  else expect(got.message).toMatch(c.message);
}

type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface LoopServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A server on 127.0.0.1 that answers by path. It stops by itself: sockets are destroyed after
 * 20 s and the server is unref'd, so a forgotten close() never keeps the test process alive.
 */
export async function serveLoopback(routes: Record<string, Route>): Promise<LoopServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) route(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.setTimeout(20_000, () => s.destroy());
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Routes for image URL cases. */
export function imageRoutes(png: Uint8Array): Record<string, Route> {
  return {
    '/ok.png': (_q, r) => r.writeHead(200, { 'content-type': 'image/png', 'content-length': png.byteLength }).end(png),
    '/hang': () => undefined, // accepts, never answers
    '/stall': (_q, r) => {
      r.writeHead(200, { 'content-type': 'image/png', 'content-length': png.byteLength });
      r.write(png.subarray(0, 20)); // headers and a few bytes, then nothing
    },
    '/declared-huge': (_q, r) => {
      r.writeHead(200, { 'content-type': 'image/png', 'content-length': 512_000_000 });
      r.write(png.subarray(0, 8));
    },
    '/chunked-huge': (_q, r) => {
      r.writeHead(200, { 'content-type': 'image/png' });
      const chunk = new Uint8Array(64 * 1024);
      let sent = 0;
      const push = () => {
        while (sent < 8_000_000) {
          sent += chunk.byteLength;
          if (!r.write(chunk)) return void r.once('drain', push);
        }
        r.end();
      };
      r.on('error', () => undefined);
      push();
    },
    '/500': (_q, r) => r.writeHead(500, { 'content-type': 'text/plain' }).end('boom'),
    '/html': (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html>not an image</html>'),
  };
}

export function writeFile(dir: string, name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}
