import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { convertModel } from '../../src/convert/convert-model.ts';
import { writeTinyRepo } from '../../src/convert/fixtures/tiny-models.ts';
import { writeRandomCheckpoint } from '../../src/convert/fixtures/random-checkpoint.ts';
import { parseManifest, type ComponentSpec } from '../../src/models/manifest.ts';
import { run as convertCli } from '../../src/cli/convert.ts';

ort.env.wasm.numThreads = 1;
const work = mkdtempSync(path.join(tmpdir(), 'trellis-convert-'));
let repoDir = '';
let dinov2Dir = '';

beforeAll(async () => {
  ({ repoDir, dinov2Dir } = await writeTinyRepo(work, { seed: 3 }));
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function copyRepo(name: string): string {
  const dir = path.join(work, name);
  cpSync(repoDir, dir, { recursive: true });
  return dir;
}

describe('convert (TRELLIS repo layout -> model folder)', () => {
  it('writes every graph, shard and a manifest whose sizes and hashes match the files', async () => {
    const out = path.join(work, 'out', 'tiny');
    const r = await convertModel({ from: repoDir, dinov2: dinov2Dir, out, dtype: 'fp16' });
    const manifest = parseManifest(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.components).sort()).toEqual(['dinov2', 'slat_decoder_gs', 'slat_decoder_mesh', 'slat_flow', 'ss_decoder', 'ss_flow']);
    expect(manifest.pipeline.ss_sampler).toEqual({ steps: 25, cfg_strength: 5, cfg_interval: [0.5, 1], rescale_t: 3, sigma_min: 1e-5 });
    for (const comp of Object.values(manifest.components)) {
      for (const f of comp!.files) {
        const bytes = readFileSync(path.join(out, f.path));
        expect(bytes.length).toBe(f.size);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
      }
    }
    expect(Object.keys(manifest.components.slat_decoder_mesh!.graphs!)).toEqual(['head', 'stats', 'tail']);
    // Every graph loads in ORT with its external data, and its I/O names match the manifest.
    for (const comp of Object.values(manifest.components) as ComponentSpec[]) {
      const graphs: { file: string; inputs: { name: string }[]; outputs: { name: string }[] }[] = comp!.graphs ? Object.values(comp!.graphs) : [{ file: comp!.files.find((f) => f.role === 'graph')!.path, inputs: comp!.inputs, outputs: comp!.outputs }];
      for (const gspec of graphs) {
        const externalData = comp!.files.filter((f) => f.role === 'external_data' && f.path.startsWith(gspec.file)).map((f) => ({ path: f.path, data: new Uint8Array(readFileSync(path.join(out, f.path))) }));
        const s = await ort.InferenceSession.create(new Uint8Array(readFileSync(path.join(out, gspec.file))), { executionProviders: ['wasm'], externalData });
        expect([...s.inputNames].sort()).toEqual(gspec.inputs.map((i) => i.name).sort());
        expect([...s.outputNames].sort()).toEqual(gspec.outputs.map((o) => o.name).sort());
        await s.release();
      }
    }
    // fp16 storage: about 2 bytes per parameter (tensors under 1 KiB stay inline in the graph).
    const ssFlow = r.reports.find((x) => x.component === 'ss_flow')!;
    expect(ssFlow.dataBytes).toBeLessThan(ssFlow.parameters * 2 * 1.05);
    expect(ssFlow.dataBytes).toBeGreaterThan(ssFlow.parameters * 2 * 0.95);
  });

  const failing: [string, (dir: string) => void, RegExp][] = [
    ['a missing checkpoint file', (d) => rmSync(path.join(d, 'ckpts/ss_dec_tiny.safetensors')), /ss_dec_tiny\.safetensors: not found/],
    ['an unknown class name', (d) => {
      const f = path.join(d, 'ckpts/slat_flow_tiny.json');
      writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), name: 'SLatFlowModelV9' }));
    }, /unknown model class "SLatFlowModelV9"/],
    ['a truncated safetensors file', (d) => {
      const f = path.join(d, 'ckpts/ss_flow_tiny.safetensors');
      truncateSync(f, statSync(f).size - 1000);
    }, /ss_flow_tiny\.safetensors \[[\w.]+\]: data ends at byte \d+ but the file has \d+ bytes: truncated/],
    ['a tensor of the wrong shape', (d) => {
      const stem = path.join(d, 'ckpts/ss_flow_tiny');
      const cfg = JSON.parse(readFileSync(`${stem}.json`, 'utf8'));
      // Weights for 3 heads' worth of qk-norm are written, but the config says 4 heads.
      writeRandomCheckpoint(stem, cfg.name, { ...cfg.args, num_heads: 2 }, { dtype: 'F16', seed: 1 });
      writeFileSync(`${stem}.json`, JSON.stringify(cfg));
    }, /tensor blocks\.0\.self_attn\.q_rms_norm\.gamma has shape \[2,32\], expected \[4,16\]/],
    ['a checkpoint with extra tensors', (d) => {
      const stem = path.join(d, 'ckpts/ss_flow_tiny');
      const cfg = JSON.parse(readFileSync(`${stem}.json`, 'utf8'));
      writeRandomCheckpoint(stem, cfg.name, { ...cfg.args, num_blocks: 3 }, { dtype: 'F16', seed: 1 });
      writeFileSync(`${stem}.json`, JSON.stringify(cfg));
    }, /not used by the graph.*blocks\.2\./],
  ];
  for (const [what, breakIt, message] of failing) {
    it(`rejects ${what} with a clear error and leaves no output`, async () => {
      const dir = copyRepo(`broken-${what.replace(/\W+/g, '-')}`);
      breakIt(dir);
      const out = path.join(work, 'out', `broken-${what.replace(/\W+/g, '-')}`);
      await expect(convertModel({ from: dir, out, dtype: 'fp32' })).rejects.toThrow(message);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(path.dirname(out)).filter((n) => n.includes('partial'))).toEqual([]);
    });
  }
});

describe('convert --from hf:<repo> (download, then convert)', () => {
  let server: Server;
  const served: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const m = /^\/test-org\/tiny\/resolve\/main\/(.+)$/.exec(decodeURI(req.url ?? ''));
      const file = m ? path.join(repoDir, m[1]) : '';
      if (!m || !existsSync(file)) return void res.writeHead(404).end();
      served.push(m[1]);
      const body = readFileSync(file);
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(() => server.close());

  it('downloads pipeline.json and the checkpoints it names, then converts them', async () => {
    const addr = server.address();
    process.env.HF_ENDPOINT = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const out = path.join(work, 'out', 'from-hf');
    try {
      const code = await convertCli(['--from', 'hf:test-org/tiny', '--out', out, '--cache', path.join(work, 'cache'), '--dtype', 'fp32', '--components', 'ss_flow,ss_decoder,slat_flow,slat_decoder_mesh']);
      expect(code).toBe(0);
    } finally {
      delete process.env.HF_ENDPOINT;
    }
    expect(served[0]).toBe('pipeline.json');
    expect(served).toContain('ckpts/ss_flow_tiny.safetensors');
    expect(served.some((f) => f.includes('gs_tiny'))).toBe(false);
    const manifest = parseManifest(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.components).sort()).toEqual(['slat_decoder_mesh', 'slat_flow', 'ss_decoder', 'ss_flow']);
  });
});
