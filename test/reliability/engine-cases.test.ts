// Reliability corpus, part 2: bad inputs through the JS API (real engine on stand-in graphs),
// the fal adapter, corrupt model folders and the CLI. Each case asserts the exact error code and
// a message fragment. One engine/client is shared; after each group a valid generation must give
// the baseline GLB byte for byte (a per-group survival check: a tiny generation costs seconds,
// 60 of them would not fit the suite's budget). Last, the leak check: 20 generations in a row
// with blob URLs revoked and the adapter's finished requests released must leave ArrayBuffer
// memory (where Node keeps Blob bytes) and the heap within 5 MB of the start; the GLB here is
// ~160 KB, so growth must also stay under half of keeping all 20, or such a leak would pass.
import { spawn } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTrellis } from '../../src/api/client.ts';
import { createFalClient, KEEP_FINISHED_REQUESTS, type GenerationRunner } from '../../src/api/fal-adapter.ts';
import type { TrellisResult } from '../../src/api/types.ts';
import { main } from '../../src/cli/main.ts';
import { TrellisEngine } from '../../src/engine/engine.ts';
import { EngineError } from '../../src/engine/errors.ts';
import type { ModelStore } from '../../src/engine/model-store/types.ts';
import { nodeImageDecoder } from '../../src/engine/pipeline/image-source-node.ts';
import type { ManifestV1 } from '../../src/models/manifest.ts';
import {
  dataUrl, expectFailure, expectSurvives, failure, GOOD_PARAMS, imageRoutes, nodeClient, pngBytes, serveLoopback, setupCorpus, writeFile,
  type Case, type Corpus, type LoopServer,
} from './harness.ts';

let c: Corpus;
let server: LoopServer;

beforeAll(async () => {
  c = await setupCorpus('engine');
  server = await serveLoopback(imageRoutes(c.image));
}, 300_000);
afterAll(async () => {
  await server?.close();
  await c?.cleanup();
});

function withIhdr(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = png.slice();
  const view = new DataView(out.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return out;
}

function flipByte(png: Uint8Array, at: number): Uint8Array {
  const out = png.slice();
  out[at] ^= 0xff;
  return out;
}

function corruptCrc(png: Uint8Array): Uint8Array {
  const out = png.slice();
  out[out.length - 20] ^= 0xff; // inside the last IDAT's data: its CRC no longer matches
  return out;
}

describe('JS API: image inputs', () => {
  const refused = 'http://127.0.0.1:9/x.png';
  const cases: (Case & { image: () => string | Blob })[] = [
    { name: 'truncated PNG', image: () => dataUrl(c.image.subarray(0, c.image.length - 40)), code: 'BAD_IMAGE', message: 'corrupt PNG (the file is truncated' },
    { name: 'damaged image data', image: () => dataUrl(corruptCrc(c.image)), code: 'BAD_IMAGE', message: 'corrupt PNG (the file is damaged' },
    { name: 'bad IHDR CRC', image: () => dataUrl(flipByte(c.image, 30)), code: 'BAD_IMAGE', message: 'a chunk checksum (CRC) does not match' },
    { name: 'PNG signature only', image: () => dataUrl(c.image.subarray(0, 8)), code: 'BAD_IMAGE', message: 'PNG is truncated' },
    { name: 'text, not an image', image: () => dataUrl(new TextEncoder().encode('hello world')), code: 'BAD_IMAGE', message: 'not a PNG or JPEG file' },
    { name: 'corrupt JPEG', image: () => dataUrl(new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3, 4, 5, 6]), 'image/jpeg'), code: 'BAD_IMAGE', message: 'corrupt or unsupported JPEG' },
    { name: 'data: URL without comma', image: () => 'data:image/png;base64', code: 'BAD_IMAGE', message: 'no comma' },
    { name: 'data: URL with bad base64', image: () => 'data:image/png;base64,@@@###', code: 'BAD_IMAGE', message: 'outside A-Z a-z 0-9' },
    { name: 'empty data: URL', image: () => 'data:image/png;base64,', code: 'BAD_IMAGE', message: 'empty data: URL' },
    { name: 'data: URL over the byte cap', image: () => dataUrl(new Uint8Array(1_500_000)), code: 'BAD_IMAGE', message: 'larger than 1 MB' },
    { name: 'server never answers', image: () => `${server.url}/hang`, code: 'BAD_IMAGE', message: 'timed out after 1.5 s' },
    { name: 'server stalls after the headers', image: () => `${server.url}/stall`, code: 'BAD_IMAGE', message: 'timed out after 1.5 s' },
    { name: 'declared 512 MB body', image: () => `${server.url}/declared-huge`, code: 'BAD_IMAGE', message: 'larger than 1 MB (512 MB)' },
    { name: 'endless chunked body', image: () => `${server.url}/chunked-huge`, code: 'BAD_IMAGE', message: 'larger than 1 MB' },
    { name: 'HTTP 404', image: () => `${server.url}/missing.png`, code: 'BAD_IMAGE', message: 'gave HTTP 404' },
    { name: 'HTTP 500', image: () => `${server.url}/500`, code: 'BAD_IMAGE', message: 'gave HTTP 500' },
    { name: 'HTML page', image: () => `${server.url}/html`, code: 'BAD_IMAGE', message: 'not a PNG or JPEG file' },
    { name: 'connection refused', image: () => refused, code: 'BAD_IMAGE', message: 'could not fetch http://127.0.0.1:9/x.png' },
    { name: 'PNG 20000 px wide', image: () => dataUrl(withIhdr(c.image, 20_000, 10)), code: 'BAD_IMAGE', message: 'at most 16384 pixels on a side' },
    { name: 'PNG 12000x12000', image: () => dataUrl(withIhdr(c.image, 12_000, 12_000)), code: 'BAD_IMAGE', message: '100 megapixels' },
    { name: 'PNG 0x0', image: () => dataUrl(withIhdr(c.image, 0, 0)), code: 'BAD_IMAGE', message: 'has no pixels' },
    { name: 'Blob over the byte cap', image: () => new Blob([new Uint8Array(1_200_000)]), code: 'BAD_IMAGE', message: 'the Blob is larger than 1 MB' },
    { name: 'empty Blob', image: () => new Blob([]), code: 'BAD_IMAGE', message: 'not a PNG or JPEG file (0 bytes' },
    { name: 'opaque image, no background model', image: () => dataUrl(pngBytes(64, 48, false)), code: 'NO_BACKGROUND_MODEL', message: 'use the image as-is' },
  ];
  it.each(cases)('$name -> $code', async (k) => {
    // A hang would hit the test timeout; the message says which limit stopped it.
    expectFailure(await failure(c.client.generate({ image_url: k.image() as string, ...GOOD_PARAMS })), k);
  });

  it('multi: one bad image of two names image 2', async () => {
    const got = await failure(c.client.generateMulti({ image_urls: [c.imageUrl, `${server.url}/missing.png`], ...GOOD_PARAMS }));
    expectFailure(got, { code: 'BAD_IMAGE', message: /missing\.png gave HTTP 404/ });
  });

  it('an image served correctly over HTTP gives the baseline GLB', async () => {
    const r = await c.client.generate({ image_url: `${server.url}/ok.png`, ...GOOD_PARAMS });
    expect(Buffer.from(await r.model_mesh.file_data!.arrayBuffer()).equals(Buffer.from(c.baseline))).toBe(true);
    c.client.release(r);
  });

  it('survives: same GLB bytes as before', () => expectSurvives(c), 120_000);
});

describe('JS API: options and listeners', () => {
  const input = () => ({ image_url: c.imageUrl, ...GOOD_PARAMS });
  const cases: (Case & { run: () => Promise<unknown> | unknown })[] = [
    { name: 'signal is a plain object', run: () => c.client.generate(input(), { signal: {} as AbortSignal }), code: 'BAD_REQUEST', message: 'options.signal must be an AbortSignal' },
    { name: 'signal is a string', run: () => c.client.generate(input(), { signal: 'stop' as never }), code: 'BAD_REQUEST', message: 'got string' },
    { name: 'onProgress is a number', run: () => c.client.generate(input(), { onProgress: 5 as never }), code: 'BAD_REQUEST', message: 'options.onProgress must be a function' },
    { name: 'options is null', run: () => c.client.generate(input(), null as never), code: 'BAD_REQUEST', message: 'generate options must be an object' },
    { name: 'signal already aborted', run: () => c.client.generate(input(), { signal: AbortSignal.abort() }), code: 'CANCELLED', message: 'generation cancelled' },
    { name: 'useImageAsIs "yes"', run: () => c.client.generate(input(), { useImageAsIs: 'yes' as never }), code: 'BAD_REQUEST', message: 'useImageAsIs must be true or false' },
    { name: 'unknown endpoint', run: () => c.client.run('fal-ai/trellis-2' as never, input() as never), code: 'Error', message: 'unknown endpoint "fal-ai/trellis-2"' },
    { name: 'imageLimits.fetchTimeoutMs -1', run: () => createTrellis({ modelsUrl: 'https://m.example/', imageLimits: { fetchTimeoutMs: -1 } }), code: 'BAD_REQUEST', message: 'imageLimits.fetchTimeoutMs must be a whole number' },
    { name: 'imageLimits unknown key', run: () => createTrellis({ modelsUrl: 'https://m.example/', imageLimits: { timeout: 1 } as never }), code: 'BAD_REQUEST', message: 'imageLimits.timeout is not a limit' },
    { name: 'imageLimits a string', run: () => createTrellis({ modelsUrl: 'https://m.example/', imageLimits: '30s' as never }), code: 'BAD_REQUEST', message: 'imageLimits must be an object' },
    { name: 'modelsUrl relative without a page', run: () => createTrellis({ modelsUrl: 'models/x/' }), code: 'BAD_REQUEST', message: 'pass an absolute URL or baseUrl' },
    { name: 'device "gpu"', run: () => createTrellis({ modelsUrl: 'https://m.example/', device: 'gpu' as never }), code: 'BAD_REQUEST', message: 'device must be "auto", "webgpu" or "wasm"' },
  ];
  it.each(cases)('$name -> $code', async (k) => expectFailure(await failure(k.run), k));

  it('a throwing onProgress does not fail the run (GLB step included): same GLB', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const r = await c.client.generate(input(), { onProgress: () => { throw new Error('listener boom'); } });
      expect(Buffer.from(await r.model_mesh.file_data!.arrayBuffer()).equals(Buffer.from(c.baseline))).toBe(true);
      c.client.release(r);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  }, 120_000);

  it('release() revokes the blob URL', async () => {
    const r = await c.client.generate(input());
    const { resolveObjectURL } = await import('node:buffer');
    expect(resolveObjectURL(r.model_mesh.url)).toBeDefined();
    c.client.release(r);
    expect(resolveObjectURL(r.model_mesh.url)).toBeUndefined();
  }, 120_000);

  it('survives: same GLB bytes as before', () => expectSurvives(c), 120_000);
});

describe('fal adapter', () => {
  const fal = () => createFalClient(c.client);
  it.each([
    { name: 'submit with an invalid input', run: () => fal().queue.submit('fal-ai/trellis', { input: { image_url: 'nope' } }), code: 'VALIDATION', message: 'image_url is not a valid absolute URL' },
    { name: 'status of an unknown id', run: () => fal().queue.status('fal-ai/trellis', { requestId: 'nope' }), code: 'Error', message: 'unknown request id "nope"' },
    { name: 'unknown endpoint', run: () => fal().subscribe('fal-ai/x' as never, { input: {} as never }), code: 'Error', message: 'unknown endpoint "fal-ai/x"' },
  ])('$name -> $code', async (k) => expectFailure(await failure(k.run), k));

  it('result of another endpoint, a failed subscribe, and the request is forgotten after subscribe', async () => {
    const f = fal();
    const a = await f.queue.submit('fal-ai/trellis', { input: { image_url: `${server.url}/missing.png`, ...GOOD_PARAMS } });
    expectFailure(await failure(f.queue.result('fal-ai/trellis/multi', { requestId: a.request_id })), { code: 'Error', message: 'belongs to endpoint "fal-ai/trellis"' });
    expectFailure(await failure(f.queue.result('fal-ai/trellis', { requestId: a.request_id })), { code: 'BAD_IMAGE', message: 'gave HTTP 404' });
    let id = '';
    const got = await failure(f.subscribe('fal-ai/trellis', { input: { image_url: 'data:image/png;base64,', ...GOOD_PARAMS }, onQueueUpdate: (s) => (id = s.request_id) }));
    expectFailure(got, { code: 'BAD_IMAGE', message: 'empty data: URL' });
    expectFailure(await failure(f.queue.status('fal-ai/trellis', { requestId: id })), { code: 'Error', message: 'finished and forgotten' });
  }, 60_000);

  it(`keeps only the last ${KEEP_FINISHED_REQUESTS} finished requests and releases unfetched results; dispose cancels and forgets`, async () => {
    const released: string[] = [];
    let n = 0;
    const runner: GenerationRunner = {
      // "slow" requests run until cancelled, like a long generation.
      run: (_e, input, opts) =>
        (input as { image_url: string }).image_url.includes('slow')
          ? new Promise((_r, reject) => opts?.signal?.addEventListener('abort', () => reject(new EngineError('CANCELLED', 'generation cancelled'))))
          : Promise.resolve({ model_mesh: { url: `blob:fake/${n++}`, content_type: 'model/gltf-binary', file_name: 'x.glb', file_size: 1 }, timings: {}, seed: 1 } as TrellisResult),
      release: (r) => released.push(r.model_mesh.url),
    };
    const f = createFalClient(runner);
    const ids = [];
    for (let i = 0; i < KEEP_FINISHED_REQUESTS + 3; i++) ids.push((await f.queue.submit('fal-ai/trellis', { input: { image_url: 'https://x.example/a.png' } })).request_id);
    await f.queue.result('fal-ai/trellis', { requestId: ids.at(-1)! });
    expect(released).toEqual(['blob:fake/0', 'blob:fake/1', 'blob:fake/2']);
    expectFailure(await failure(f.queue.status('fal-ai/trellis', { requestId: ids[0]! })), { code: 'Error', message: `only the last ${KEEP_FINISHED_REQUESTS} finished requests are kept` });
    const running = await f.queue.submit('fal-ai/trellis', { input: { image_url: 'https://x.example/slow.png' } });
    const queued = await f.queue.submit('fal-ai/trellis', { input: { image_url: 'https://x.example/slow.png' } });
    const outcomes = [running, queued].map((q) => failure(f.queue.result('fal-ai/trellis', { requestId: q.request_id })));
    await f.dispose();
    for (const o of await Promise.all(outcomes)) expectFailure(o, { code: 'CANCELLED', message: 'cancelled' });
    // Every unfetched result was released; the fetched one (ids.at(-1)) belongs to its caller.
    expect(released).toHaveLength(KEEP_FINISHED_REQUESTS + 2);
    expectFailure(await failure(f.queue.status('fal-ai/trellis', { requestId: ids.at(-1)! })), { code: 'Error', message: 'unknown request id' });
  });

  it('survives: same GLB bytes as before', () => expectSurvives(c), 120_000);
});

describe('model folders', () => {
  const manifestOf = (dir: string): ManifestV1 => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const saveManifest = (dir: string, m: ManifestV1) => writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  let n = 0;
  /** A copy of the good folder, changed by `edit`. */
  function folder(edit: (dir: string) => void): string {
    const dir = path.join(c.dir, `folder-${n++}`, 'models');
    mkdirSync(path.dirname(dir), { recursive: true });
    cpSync(c.models, dir, { recursive: true });
    edit(dir);
    return dir;
  }
  const secret = () => writeFile(c.dir, 'secret.bin', 'top secret contents');
  const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
  const setFile = (dir: string, component: 'ss_decoder' | 'ss_flow', bytes: Uint8Array, fixManifest: boolean) => {
    writeFileSync(path.join(dir, `${component}.onnx`), bytes);
    if (!fixManifest) return;
    const m = manifestOf(dir);
    Object.assign(m.components[component].files[0]!, { size: bytes.byteLength, sha256: sha(bytes) });
    saveManifest(dir, m);
  };

  const cases: (Case & { edit: (dir: string) => void })[] = [
    { name: 'manifest missing', edit: (d) => rmSync(path.join(d, 'manifest.json')), code: 'MODEL_MISSING', message: 'could not be read' },
    { name: 'manifest not JSON', edit: (d) => writeFileSync(path.join(d, 'manifest.json'), '{ nope'), code: 'MODEL_CORRUPT', message: 'is not valid JSON' },
    { name: 'manifest is an HTML page', edit: (d) => writeFileSync(path.join(d, 'manifest.json'), '<!doctype html><p>hi'), code: 'MODEL_MISSING', message: 'answered with an HTML page' },
    { name: 'manifest of another format', edit: (d) => saveManifest(d, { ...manifestOf(d), format: 'other' as never }), code: 'MODEL_CORRUPT', message: 'format: expected one of "trellis-web-models"' },
    { name: "path '%2e%2e/%2e%2e/secret.bin'", edit: (d) => { secret(); const m = manifestOf(d); m.components.ss_flow.files[0]!.path = '%2e%2e/%2e%2e/secret.bin'; saveManifest(d, m); }, code: 'MODEL_CORRUPT', message: '"%2e%2e/%2e%2e/secret.bin" has an empty' },
    { name: "path '..%2fsecret.bin'", edit: (d) => { const m = manifestOf(d); m.components.ss_flow.files[0]!.path = '..%2fsecret.bin'; saveManifest(d, m); }, code: 'MODEL_CORRUPT', message: 'once percent-decoded' },
    { name: 'sha256 not hex', edit: (d) => { const m = manifestOf(d); m.components.ss_flow.files[0]!.sha256 = 'xyz'; saveManifest(d, m); }, code: 'MODEL_CORRUPT', message: 'expected 64 hex chars' },
    { name: 'graph file missing', edit: (d) => rmSync(path.join(d, 'ss_flow.onnx')), code: 'MODEL_MISSING', message: 'model file ss_flow.onnx is missing' },
    { name: 'graph file truncated', edit: (d) => setFile(d, 'ss_flow', readFileSync(path.join(d, 'ss_flow.onnx')).subarray(0, 50), false), code: 'MODEL_CORRUPT', message: 'ss_flow.onnx' },
    { name: 'graph file with one byte changed', edit: (d) => { const b = readFileSync(path.join(d, 'ss_flow.onnx')); b[b.length - 1] ^= 1; setFile(d, 'ss_flow', b, false); }, code: 'MODEL_CORRUPT', message: 'has sha256' },
    { name: 'random bytes with a matching sha256', edit: (d) => setFile(d, 'ss_decoder', new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 251), true), code: 'MODEL_CORRUPT', message: 'model file ss_decoder.onnx is not an ONNX graph' },
    { name: 'zeroed graph with a matching sha256', edit: (d) => setFile(d, 'ss_decoder', new Uint8Array(2048), true), code: 'MODEL_CORRUPT', message: 'ss_decoder.onnx is not an ONNX graph' },
  ];
  it.each(cases)('$name -> $code', async (k) => {
    const client = nodeClient(folder(k.edit));
    try {
      const got = await failure(client.generate({ image_url: c.imageUrl, ...GOOD_PARAMS }));
      expectFailure(got, k);
      // Never the size or hash of a file the manifest does not name.
      expect(got.message).not.toContain(sha('top secret contents'));
    } finally {
      await client.dispose();
    }
  }, 60_000);

  it('a graph changed on disk after load() is caught at the next read (MODEL_CORRUPT, not a wrong result)', async () => {
    const dir = folder(() => undefined);
    const client = nodeClient(dir);
    try {
      await client.load();
      const b = readFileSync(path.join(dir, 'ss_decoder.onnx'));
      writeFileSync(path.join(dir, 'ss_decoder.onnx'), new Uint8Array(b.byteLength));
      expectFailure(await failure(client.generate({ image_url: c.imageUrl, ...GOOD_PARAMS })), { code: 'MODEL_CORRUPT', message: 'ss_decoder.onnx' });
    } finally {
      await client.dispose();
    }
  }, 60_000);

  it('a manifest built in code naming ../secret.bin: rejected before any store read', async () => {
    secret();
    const m = manifestOf(c.models);
    m.components.ss_flow.files[0]!.path = '../secret.bin';
    const reads: string[] = [];
    const store: ModelStore = { kind: 'memory', ensure: async (url) => void reads.push(url), read: async (url) => (reads.push(url), new Uint8Array()) };
    const engine = new TrellisEngine({ device: 'wasm', manifest: m, store, decodeImage: nodeImageDecoder });
    const got = await failure(engine.load(pathToFileURL(path.join(c.models, 'manifest.json')).href));
    expectFailure(got, { code: 'MODEL_CORRUPT', message: 'model file path "../secret.bin"' });
    expect(reads.filter((u) => u.includes('secret'))).toEqual([]);
    await engine.dispose();
  });

  it('survives: same GLB bytes as before', () => expectSurvives(c), 120_000);
});

describe('CLI: trellis-web generate', () => {
  async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      return { code: await main(['generate', ...args]), stderr };
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  }
  let image: string;
  let outFile: string;
  beforeAll(() => {
    image = writeFile(c.dir, 'in.png', c.image);
    outFile = path.join(c.dir, 'cli-out.glb');
  });
  const base = () => [image, '--models', c.models, '--out', outFile, '--seed', '7', '--ss_sampling_steps', '2', '--slat_sampling_steps', '2', '--texture_size', '512', '--mesh_simplify', '0.9'];
  const with_ = (changes: Record<string, string | null>, positional?: string[]) => {
    const args = base();
    for (const [k, v] of Object.entries(changes)) {
      const at = args.indexOf(k);
      if (v === null) { if (at >= 0) args.splice(at, 2); } else if (at >= 0) args[at + 1] = v; else args.push(k, v);
    }
    return positional ? [...positional, ...args.slice(1)] : args;
  };
  const cases: (Case & { args: () => string[] })[] = [
    { name: '--models missing', args: () => with_({ '--models': path.join(c.dir, 'nope') }), code: 'EXIT_2', message: 'does not exist; pass a model folder' },
    { name: '--models is a file', args: () => with_({ '--models': image }), code: 'EXIT_2', message: 'is a file; pass the model folder' },
    { name: '--models not given', args: () => with_({ '--models': null }), code: 'EXIT_2', message: '--models <model folder> is required' },
    { name: '--out in a missing directory', args: () => with_({ '--out': path.join(c.dir, 'no', 'dir', 'x.glb') }), code: 'EXIT_2', message: 'does not exist; create it first' },
    { name: '--out is a directory', args: () => with_({ '--out': c.dir }), code: 'EXIT_2', message: 'is a directory; pass a file name' },
    { name: '--seed 0x10', args: () => with_({ '--seed': '0x10' }), code: 'EXIT_2', message: '--seed must be a decimal number' },
    { name: '--seed=-1', args: () => [...with_({ '--seed': null }), '--seed=-1'], code: 'EXIT_2', message: 'seed must be between 0 and' },
    { name: '--seed 1.5', args: () => with_({ '--seed': '1.5' }), code: 'EXIT_2', message: 'seed must be a whole number' },
    { name: '--seed Infinity', args: () => with_({ '--seed': 'Infinity' }), code: 'EXIT_2', message: 'must be a decimal number' },
    { name: '--ss_sampling_steps 99', args: () => with_({ '--ss_sampling_steps': '99' }), code: 'EXIT_2', message: 'ss_sampling_steps must be between 1 and 50' },
    { name: '--texture_size 300', args: () => with_({ '--texture_size': '300' }), code: 'EXIT_2', message: 'texture_size must be one of' },
    { name: '--fetch-timeout 0', args: () => with_({ '--fetch-timeout': '0' }), code: 'EXIT_2', message: '--fetch-timeout must be a number above 0' },
    { name: '--max-image-mb abc', args: () => with_({ '--max-image-mb': 'abc' }), code: 'EXIT_2', message: '--max-image-mb must be a decimal number' },
    { name: '--release sometimes', args: () => with_({ '--release': 'sometimes' }), code: 'EXIT_2', message: '--release must be auto, keep or per-stage' },
    { name: 'unknown option', args: () => [...base(), '--colour', 'red'], code: 'EXIT_2', message: "Unknown option '--colour'" },
    { name: 'no image', args: () => base().slice(1), code: 'EXIT_2', message: 'expected exactly one image argument, got 0' },
    { name: 'image file missing', args: () => with_({}, [path.join(c.dir, 'none.png')]), code: 'EXIT_2', message: 'cannot read image' },
    { name: 'image is text', args: () => with_({}, [writeFile(c.dir, 'text.png', 'not an image')]), code: 'EXIT_1', message: 'BAD_IMAGE: ' },
    { name: 'image URL 404', args: () => with_({}, [`${server.url}/missing.png`]), code: 'EXIT_1', message: 'BAD_IMAGE: ' },
    { name: 'image URL larger than --max-image-mb', args: () => with_({ '--max-image-mb': '0.0002' }, [`${server.url}/ok.png`]), code: 'EXIT_1', message: 'is larger than 200 bytes' },
  ];
  it.each(cases)('$name -> $code', async (k) => {
    rmSync(outFile, { force: true });
    const r = await cli(k.args());
    expectFailure({ code: `EXIT_${r.code}`, message: r.stderr }, k);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/); // a message, not a stack trace
    expect(existsSync(outFile)).toBe(false);
  }, 60_000);

  it('a server that accepts and never answers: exit 1 within --fetch-timeout with BAD_IMAGE, nothing written (own process)', async () => {
    const child = spawn(process.execPath, ['bin/trellis-web.js', 'generate', `${server.url}/hang`, '--models', c.models, '--out', outFile, '--fetch-timeout', '2', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(1);
    expect(stderr).toContain('BAD_IMAGE');
    expect(stderr).toContain('timed out after 2 s');
    expect(existsSync(outFile)).toBe(false);
  }, 120_000);

  it('survives: same GLB bytes as before', () => expectSurvives(c), 120_000);
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settle(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage();
}

describe('leaks', () => {
  it('20 generations: arrayBuffers and heap back within 5 MB (blob URLs revoked, finished jobs released)', async () => {
    const input = { image_url: c.imageUrl, ...GOOD_PARAMS };
    const fal = createFalClient(c.client);
    // Warm-up: sessions, JIT and lazily loaded modules are not leaks.
    for (let i = 0; i < 2; i++) c.client.release((await fal.subscribe('fal-ai/trellis', { input })).data);
    const start = await settle();
    let glbSize = 0;
    for (let i = 0; i < 20; i++) {
      if (i % 2 === 0) {
        const r = await fal.subscribe('fal-ai/trellis', { input });
        glbSize = r.data.model_mesh.file_size;
        c.client.release(r.data);
      } else {
        // The queue API keeps finished requests for queue.result(); dispose() below releases them.
        const { request_id } = await fal.queue.submit('fal-ai/trellis', { input });
        c.client.release((await fal.queue.result('fal-ai/trellis', { requestId: request_id })).data);
      }
    }
    await fal.dispose();
    const end = await settle();
    const grewBuffers = end.arrayBuffers - start.arrayBuffers;
    const grewHeap = end.heapUsed - start.heapUsed;
    expect(glbSize).toBeGreaterThan(50_000);
    expect(grewBuffers, `arrayBuffers grew ${grewBuffers} bytes`).toBeLessThan(5e6);
    expect(grewHeap, `heap grew ${grewHeap} bytes`).toBeLessThan(5e6);
    expect(grewBuffers, 'growth close to 20 GLBs: results are being kept').toBeLessThan(10 * glbSize);
  }, 600_000);
});
