import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadHfFile, DownloadError } from '../../src/convert/hf-download.ts';

// A fixture "hub" on 127.0.0.1: serves /<repo>/resolve/main/<file>, honours Range, and can be
// told to drop the connection half-way once to exercise resume.
const files: Record<string, Uint8Array> = {
  'ckpts/model.safetensors': Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) & 255),
  'pipeline.json': new TextEncoder().encode('{"name":"TrellisImageTo3DPipeline"}'),
};
let server: Server;
let endpoint = '';
let dropNext = false;
const rangesSeen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const m = /^\/org\/repo\/resolve\/main\/(.+)$/.exec(req.url ?? '');
    const body = m ? files[decodeURIComponent(m[1])] : undefined;
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    if (req.headers.range) {
      rangesSeen.push(req.headers.range);
      start = Number(/bytes=(\d+)-/.exec(req.headers.range)![1]);
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    if (dropNext) {
      dropNext = false;
      res.write(body.subarray(start, start + 100_000));
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => server.close());

describe('Hugging Face downloader', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'trellis-dl-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('resumes an interrupted download with a Range request and gets identical bytes', async () => {
    dropNext = true;
    const progress: number[] = [];
    await expect(downloadHfFile('org/repo', 'ckpts/model.safetensors', out, { endpoint, onProgress: (p) => progress.push(p.loaded) })).rejects.toThrow(/resume/);
    const part = path.join(out, 'ckpts/model.safetensors.part');
    expect(existsSync(part)).toBe(true);
    const local = await downloadHfFile('org/repo', 'ckpts/model.safetensors', out, { endpoint, onProgress: (p) => progress.push(p.loaded) });
    expect(rangesSeen.at(-1)).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(rangesSeen.at(-1)!)![0])).toBeGreaterThan(0);
    expect(Buffer.compare(readFileSync(local), Buffer.from(files['ckpts/model.safetensors']))).toBe(0);
    expect(existsSync(part)).toBe(false);
    expect(progress.at(-1)).toBe(300_000);
  });

  it('keeps a finished file and names a missing one clearly', async () => {
    writeFileSync(path.join(out, 'pipeline.json'), 'local copy');
    const p = await downloadHfFile('org/repo', 'pipeline.json', out, { endpoint });
    expect(readFileSync(p, 'utf8')).toBe('local copy');
    const err = await downloadHfFile('org/repo', 'ckpts/missing.json', out, { endpoint }).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect(String(err.message)).toMatch(/ckpts\/missing\.json: HTTP 404 \(no such repo or file\)/);
  });
});
