// Reliability corpus, part 1: inputs rejected before any engine work (no engine needed, so no
// survival check here): manifest/download paths, fal request validation, the embed protocol and
// the demo host's site choice, converter downloads. Each case names the exact error code and a message fragment.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadHfFile } from '../../src/convert/hf-download.ts';
import { neededRepoFiles, readTrellisRepo } from '../../src/convert/trellis-repo.ts';
import { backgroundConfig } from '../../src/engine/background/background-config.ts';
import { validateInput } from '../../src/api/schema.ts';
import { containedPathProblem } from '../../src/models/contained-path.ts';
import { resolveModelFile } from '../../src/models/manifest.ts';
import { cancelApplies, parseAllowedOrigins, parseEmbedRequest } from '../../src/widget/embed-protocol.ts';
import { resolveDemoSite, widgetModuleUrl } from '../../src/widget/demo-site.ts';
import { expectFailure, failure, serveLoopback, type Case, type LoopServer } from './harness.ts';

const MANIFEST = 'file:///srv/models/tiny/manifest.json';

// Every spelling of "outside the folder" a manifest or a pipeline.json could use.
const BAD_PATHS: [string, string][] = [
  ['../secret.bin', "'..' segment"],
  ['a/../../secret.bin', "'..' segment"],
  ['%2e%2e/%2e%2e/secret.bin', 'once percent-decoded'],
  ['%2E%2E/secret.bin', 'once percent-decoded'],
  ['..%2fsecret.bin', 'once percent-decoded'],
  ['..%2Fsecret.bin', 'once percent-decoded'],
  ['a/%2e%2e/%2e%2e/secret.bin', 'once percent-decoded'],
  ['%252e%252e/secret.bin', 'once percent-decoded'],
  ['%25252e%25252e/secret.bin', 'once percent-decoded'],
  ['.%2e/secret.bin', 'once percent-decoded'],
  ['%2e./secret.bin', 'once percent-decoded'],
  ['%2fetc/passwd', "starts with '/'"],
  ['/etc/passwd', "starts with '/'"],
  ['//evil.example/x.onnx', "starts with '/'"],
  ['\\\\server\\share\\x.onnx', "contains '\\'"],
  ['a\\..\\..\\x.onnx', "contains '\\'"],
  ['a%5c..%5cx.onnx', 'once percent-decoded'],
  ['C:/Windows/x.onnx', 'URL scheme or drive letter'],
  ['https://evil.example/x.onnx', 'URL scheme or drive letter'],
  ['file:///etc/passwd', 'URL scheme or drive letter'],
  ['data:,hello', 'URL scheme or drive letter'],
  ['javascript:alert(1)', 'URL scheme or drive letter'],
  ['a//b.onnx', 'empty'],
  ['./a.onnx', "'.' or '..'"],
  ['a/./b.onnx', "'.' or '..'"],
  ['a/', 'empty'],
  ['', 'is empty'],
  ['x.onnx?v=1', "'?'"],
  ['x.onnx#frag', "'#'"],
  ['x%3fv=1.onnx', 'once percent-decoded'],
  ['a\u0000b.onnx', 'control character'],
  ['a\nb.onnx', 'control character'],
  ['%zz.onnx', 'malformed percent-escape'],
  ['%e0%a4%a.onnx', 'malformed percent-escape'],
];

describe('paths: one rule for manifest files and downloaded names', () => {
  it.each(BAD_PATHS)('manifest path %j -> MODEL_CORRUPT before anything is read', async (p, fragment) => {
    const got = await failure(() => resolveModelFile(MANIFEST, { path: p }));
    expectFailure(got, { code: 'MODEL_CORRUPT', message: fragment });
    expect(got.message).toContain('nothing was read');
  });

  it.each(['ss_flow.onnx', 'graphs/ss_flow.onnx', 'a%20b.onnx', 'ss_flow.onnx.data', '..data', 'x..y/z.onnx', 'ckpts/slat_dec_mesh_swin8_B_64l8m256c_fp16.json'])(
    'inside the folder: %j',
    (p) => {
      expect(containedPathProblem(p)).toBeNull();
      expect(resolveModelFile(MANIFEST, { path: p }).startsWith('file:///srv/models/tiny/')).toBe(true);
    },
  );
});

const IMG = 'https://img.example/a.png';
const SCHEMA_CASES: (Case & { endpoint?: 'fal-ai/trellis' | 'fal-ai/trellis/multi'; input: unknown })[] = [
  { name: 'null body', input: null, code: 'VALIDATION', message: 'request input must be a JSON object, got null' },
  { name: 'list body', input: [], code: 'VALIDATION', message: 'must be a JSON object, got a list' },
  { name: 'string body', input: 'x', code: 'VALIDATION', message: 'must be a JSON object' },
  { name: 'missing image_url', input: {}, code: 'VALIDATION', message: 'image_url is required' },
  { name: 'image_url number', input: { image_url: 5 }, code: 'VALIDATION', message: 'image_url must be an http(s), data: or blob: URL string' },
  { name: 'image_url relative', input: { image_url: 'a.png' }, code: 'VALIDATION', message: 'is not a valid absolute URL' },
  { name: 'image_url file:', input: { image_url: 'file:///etc/passwd' }, code: 'VALIDATION', message: 'unsupported scheme "file:"' },
  { name: 'image_url javascript:', input: { image_url: 'javascript:alert(1)' }, code: 'VALIDATION', message: 'unsupported scheme "javascript:"' },
  { name: 'image_url ftp:', input: { image_url: 'ftp://x/a.png' }, code: 'VALIDATION', message: 'unsupported scheme "ftp:"' },
  { name: 'unknown field', input: { image_url: IMG, foo: 1 }, code: 'VALIDATION', message: 'unknown field "foo"' },
  { name: 'image_urls on single', input: { image_url: IMG, image_urls: [IMG] }, code: 'VALIDATION', message: 'image_urls belongs to fal-ai/trellis/multi' },
  { name: 'seed negative', input: { image_url: IMG, seed: -1 }, code: 'VALIDATION', message: 'seed must be between 0 and' },
  { name: 'seed fractional', input: { image_url: IMG, seed: 1.5 }, code: 'VALIDATION', message: 'seed must be a whole number' },
  { name: 'seed string', input: { image_url: IMG, seed: '0x10' }, code: 'VALIDATION', message: 'seed must be an integer' },
  { name: 'seed beyond 2^53', input: { image_url: IMG, seed: 2 ** 60 }, code: 'VALIDATION', message: 'seed must be between 0 and 9007199254740991' },
  { name: 'seed NaN', input: { image_url: IMG, seed: Number.NaN }, code: 'VALIDATION', message: 'finite number' },
  { name: 'seed Infinity', input: { image_url: IMG, seed: Infinity }, code: 'VALIDATION', message: 'finite number' },
  { name: 'steps 0', input: { image_url: IMG, ss_sampling_steps: 0 }, code: 'VALIDATION', message: 'ss_sampling_steps must be between 1 and 50' },
  { name: 'steps 51', input: { image_url: IMG, slat_sampling_steps: 51 }, code: 'VALIDATION', message: 'slat_sampling_steps must be between 1 and 50' },
  { name: 'steps 2.5', input: { image_url: IMG, ss_sampling_steps: 2.5 }, code: 'VALIDATION', message: 'whole number' },
  { name: 'guidance 11', input: { image_url: IMG, ss_guidance_strength: 11 }, code: 'VALIDATION', message: 'ss_guidance_strength must be between 0 and 10' },
  { name: 'guidance string', input: { image_url: IMG, slat_guidance_strength: '3' }, code: 'VALIDATION', message: 'slat_guidance_strength must be a number' },
  { name: 'mesh_simplify 0.5', input: { image_url: IMG, mesh_simplify: 0.5 }, code: 'VALIDATION', message: 'mesh_simplify must be between 0.9 and 0.98' },
  { name: 'texture_size 300', input: { image_url: IMG, texture_size: 300 }, code: 'VALIDATION', message: 'texture_size must be one of 512, 1024, 2048' },
  { name: 'texture_size "1024px"', input: { image_url: IMG, texture_size: '1024px' }, code: 'VALIDATION', message: 'texture_size must be one of' },
  { name: 'multi: missing image_urls', endpoint: 'fal-ai/trellis/multi', input: {}, code: 'VALIDATION', message: 'image_urls is required' },
  { name: 'multi: empty list', endpoint: 'fal-ai/trellis/multi', input: { image_urls: [] }, code: 'VALIDATION', message: 'at least 1 image' },
  { name: 'multi: not a list', endpoint: 'fal-ai/trellis/multi', input: { image_urls: IMG }, code: 'VALIDATION', message: 'image_urls must be a list' },
  { name: 'multi: 17 images', endpoint: 'fal-ai/trellis/multi', input: { image_urls: Array(17).fill(IMG) }, code: 'VALIDATION', message: 'at most 16 images, got 17' },
  { name: 'multi: 100000 bad entries give one short error', endpoint: 'fal-ai/trellis/multi', input: { image_urls: Array(100_000).fill('nope') }, code: 'VALIDATION', message: 'at most 16 images, got 100000' },
  { name: 'multi: bad algo', endpoint: 'fal-ai/trellis/multi', input: { image_urls: [IMG], multiimage_algo: 'average' }, code: 'VALIDATION', message: 'multiimage_algo must be one of "stochastic", "multidiffusion"' },
  { name: 'multi: image_url given', endpoint: 'fal-ai/trellis/multi', input: { image_urls: [IMG], image_url: IMG }, code: 'VALIDATION', message: 'use image_urls' },
  { name: 'multi: one bad entry', endpoint: 'fal-ai/trellis/multi', input: { image_urls: [IMG, 'gopher://x'] }, code: 'VALIDATION', message: 'image_urls[1] uses the unsupported scheme' },
];

describe('fal request validation (422)', () => {
  it.each(SCHEMA_CASES)('$name', async (c) => {
    const got = await failure(() => validateInput(c.endpoint ?? 'fal-ai/trellis', c.input));
    expectFailure(got, c);
    expect(got.message.length).toBeLessThan(2000); // never one error per entry of a huge list
  });

  it('seed help says only the low 32 bits count', async () => {
    const { COMMON_FIELDS } = await import('../../src/api/schema.ts');
    expect(COMMON_FIELDS.find((f) => f.name === 'seed')!.description).toContain('low 32 bits');
  });
});

const EMBED_CASES: { name: string; data: unknown; reason: string }[] = [
  { name: 'null', data: null, reason: 'not a plain object' },
  { name: 'string', data: 'trellis:generate', reason: 'not a plain object' },
  { name: 'array', data: [{ type: 'trellis:generate' }], reason: 'not a plain object' },
  { name: 'class instance', data: new Date(), reason: 'not a plain object' },
  { name: 'unknown type', data: { type: 'trellis:eval', code: 'x' }, reason: 'unknown message type "trellis:eval"' },
  { name: 'no type', data: { id: 1 }, reason: 'unknown message type "undefined"' },
  { name: 'generate without id', data: { type: 'trellis:generate', input: {} }, reason: 'needs an id' },
  { name: 'generate with object id', data: { type: 'trellis:generate', id: {}, input: {} }, reason: 'needs an id' },
  { name: 'generate with NaN id', data: { type: 'trellis:generate', id: Number.NaN, input: {} }, reason: 'needs an id' },
  { name: 'generate with a 201-char id', data: { type: 'trellis:generate', id: 'x'.repeat(201), input: {} }, reason: 'needs an id' },
  { name: 'generate without input', data: { type: 'trellis:generate', id: 1 }, reason: 'needs an input object' },
  { name: 'generate with list input', data: { type: 'trellis:generate', id: 1, input: [] }, reason: 'needs an input object' },
  { name: 'cancel with object id', data: { type: 'trellis:cancel', id: {} }, reason: 'trellis:cancel id must be a string or number' },
];

describe('embed protocol: malformed messages are named and dropped (the embed answers BAD_REQUEST)', () => {
  it.each(EMBED_CASES)('$name', ({ data, reason }) => {
    const parsed = parseEmbedRequest(data);
    expect(parsed.ok).toBe(false);
    expect((parsed as { reason: string }).reason).toContain(reason);
  });

  it.each([
    ['*', '"*" is not accepted'],
    ['https://*.example.com', 'wildcards are not supported'],
    ['https://a.example/*', 'wildcards are not supported'],
    ['https://a.example/path', 'not a bare http(s) origin'],
    ['ftp://a.example', 'not a bare http(s) origin'],
    ['a.example', 'is not an origin'],
    ['javascript:alert(1)', 'not a bare http(s) origin'],
  ])('allow list entry %j is refused: %s', (entry, problem) => {
    const { origins, problems } = parseAllowedOrigins(`https://ok.example,${entry}`);
    expect(origins).toEqual(['https://ok.example']);
    expect(problems.join('\n')).toContain(problem);
  });

  it.each([
    [undefined, 5, true],
    [5, 5, true],
    [4, 5, false],
    ['5', 5, false],
    [undefined, null, false],
  ] as const)('trellis:cancel id %j while %j runs -> cancels: %s', (cancelId, running, applies) => {
    expect(cancelApplies(cancelId, running)).toBe(applies);
  });
});

describe('demo host: the widget script and the trusted origin never come freely from the query', () => {
  const PAGE = 'https://demo.example/embed/demo-host.html?site=x';
  it.each([
    ['https://evil.example/', 'is not one of the sites this page may embed'],
    ['data:text/javascript,alert(1)', 'must be an http(s) URL'],
    ['javascript:alert(1)', 'must be an http(s) URL'],
    ['http://127.0.0.1:9/', 'is not one of the sites'],
    ['https://demo.example.evil.example/', 'is not one of the sites'],
    ['http://[', 'is not a URL'],
  ])('?site=%s is refused (%s) and the page folder is used', (param, problem) => {
    const r = resolveDemoSite(param, PAGE);
    expect(r.problem).toContain(problem);
    expect(r.site.href).toBe('https://demo.example/embed/');
    expect(widgetModuleUrl(r.site, false)).toBe('https://demo.example/embed/widget/trellis-generator.js');
  });

  it('own origin, build-time sites and loopback-from-loopback are accepted', () => {
    expect(resolveDemoSite('https://demo.example/other/', PAGE).problem).toBeNull();
    expect(resolveDemoSite('https://site.example/', PAGE, ['https://site.example']).problem).toBeNull();
    expect(resolveDemoSite('http://127.0.0.1:5173/', 'http://localhost:4000/demo-host.html').problem).toBeNull();
  });
});

describe('converter: names from a downloaded pipeline.json stay inside the cache folder', () => {
  let server: LoopServer;
  const requested: string[] = [];
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'trellis-rel-hf-'));
    const pipeline = JSON.stringify({ args: { models: { sparse_structure_flow_model: '../../../../x/pwn' } } });
    // Record every path asked for; answer pipeline.json, 200 for anything else (a careless client would write it).
    const routes = new Proxy({} as Record<string, never>, {
      get: () => (req: { url?: string }, res: { writeHead: (s: number) => { end: (b: string) => void } }) => {
        requested.push(req.url ?? '');
        res.writeHead(200).end(req.url?.endsWith('pipeline.json') ? pipeline : '{"pwned": true}');
      },
    });
    server = await serveLoopback(routes);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['../../../../x/pwn.json', "'..' segment"],
    ['%2e%2e/%2e%2e/x/pwn.json', 'once percent-decoded'],
    ['/x/pwn.json', "starts with '/'"],
    ['ckpts/../../pwn.json', "'..' segment"],
  ])('downloadHfFile(%j) is refused before any request', async (name, fragment) => {
    requested.length = 0;
    const cache = path.join(dir, 'cache');
    const got = await failure(downloadHfFile('org/repo', name, cache, { endpoint: server.url }));
    expect(got.code).toBe('DownloadError');
    expect(got.message).toContain(`refusing to download ${JSON.stringify(name)}`);
    expect(got.message).toContain(fragment);
    expect(requested).toEqual([]);
    expect(existsSync(path.join(dir, 'x'))).toBe(false);
  });

  it('pipeline.json naming ../../../../x/pwn: its checkpoint list is refused, nothing written outside', async () => {
    const cache = path.join(dir, 'cache2');
    await downloadHfFile('org/repo', 'pipeline.json', cache, { endpoint: server.url });
    const names = neededRepoFiles(JSON.parse(readFileSync(path.join(cache, 'pipeline.json'), 'utf8')));
    requested.length = 0;
    for (const name of names) expect((await failure(downloadHfFile('org/repo', name, cache, { endpoint: server.url }))).code).toBe('DownloadError');
    expect(requested).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['cache2']);
  });

  it('a local repo whose pipeline.json names a checkpoint outside it: RepoError naming the key', async () => {
    const repo = path.join(dir, 'repo');
    mkdirSync(repo, { recursive: true });
    writeFileSync(path.join(repo, 'pipeline.json'), JSON.stringify({ args: { models: { sparse_structure_flow_model: '../outside/ckpt' } } }));
    const got = await failure(() => readTrellisRepo(repo));
    expectFailure(got, { code: 'RepoError', message: 'models.sparse_structure_flow_model "../outside/ckpt" has an empty' });
  });
});

describe('background_removal config: the transformers model folder stays inside the model folder', () => {
  it.each([
    ['../../elsewhere/', "'..' segment"],
    ['https://evil.example/rmbg/', 'URL scheme'],
    ['%2e%2e/rmbg', 'once percent-decoded'],
    ['/abs/rmbg', "starts with '/'"],
  ])('model %j -> MODEL_CORRUPT (%s)', async (model, fragment) => {
    expectFailure(await failure(() => backgroundConfig({ kind: 'transformers', model })), { code: 'MODEL_CORRUPT', message: fragment });
  });
  it('a folder inside is accepted', () => expect(backgroundConfig({ kind: 'transformers', model: 'rmbg-1.4/' })).toEqual({ kind: 'transformers', model: 'rmbg-1.4/' }));
});
