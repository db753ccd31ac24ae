// `convert --background-model hf:<repo>`: a transformers.js segmentation repo is downloaded from
// the hub (a fixture hub on 127.0.0.1 via HF_ENDPOINT) into the cache, in the layout the
// converter then recognises as a transformers background model.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKGROUND_HF_FILES, resolveSource } from '../../src/cli/convert.ts';
import { planBackgroundModel } from '../../src/convert/background-model.ts';
import { mixU2netGraph } from './background-fixtures.ts';

const repo: Record<string, Uint8Array> = {
  'config.json': new TextEncoder().encode(JSON.stringify({ model_type: 'modnet' })),
  'preprocessor_config.json': new TextEncoder().encode('{}'),
  'onnx/model.onnx': mixU2netGraph(16).toBytes(),
  // Also on the hub, not needed: must not be fetched.
  'onnx/model_quantized.onnx': mixU2netGraph(16).toBytes(),
};
let server: Server;
const requested: string[] = [];
const cache = mkdtempSync(path.join(tmpdir(), 'trellis-bg-hf-'));
const savedEndpoint = process.env.HF_ENDPOINT;

beforeAll(async () => {
  server = createServer((req, res) => {
    const m = /^\/org\/rmbg\/resolve\/main\/(.+)$/.exec(req.url ?? '');
    const body = m ? repo[decodeURIComponent(m[1]!)] : undefined;
    requested.push(m ? decodeURIComponent(m[1]!) : (req.url ?? ''));
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  process.env.HF_ENDPOINT = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => {
  server.close();
  if (savedEndpoint === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = savedEndpoint;
  rmSync(cache, { recursive: true, force: true });
});

describe('--background-model hf:<repo>', () => {
  it('downloads exactly the transformers.js layout into the cache, where the converter recognises it', async () => {
    const dir = await resolveSource('hf:org/rmbg', cache, () => BACKGROUND_HF_FILES);
    expect(dir).toBe(path.join(cache, 'org--rmbg'));
    expect(requested.sort()).toEqual([...BACKGROUND_HF_FILES].sort());
    expect(planBackgroundModel(dir)).toEqual({ kind: 'transformers', graph: 'onnx/model.onnx', transformersDtype: 'fp32', dtype: 'fp32' });
    // A second run uses the cache.
    await resolveSource('hf:org/rmbg', cache, () => BACKGROUND_HF_FILES);
    expect(requested.length).toBe(BACKGROUND_HF_FILES.length);
  });

  it('a repo that lacks a file names it', async () => {
    await expect(resolveSource('hf:org/other', cache, () => BACKGROUND_HF_FILES)).rejects.toThrow(/org\/other\/resolve\/main\/config\.json/);
  });

  it('a malformed spec is a usage error', async () => {
    await expect(resolveSource('hf:not-a-repo', cache, () => BACKGROUND_HF_FILES)).rejects.toThrow(/hf:<owner>\/<name> expected/);
  });
});
