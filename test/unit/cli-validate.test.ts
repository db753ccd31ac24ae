import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('node', ['bin/trellis-web.js', ...args], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

describe('trellis-web validate', () => {
  it('prints the request with every fal default and exits 0', async () => {
    const r = await cli(['validate', '{"image_url":"https://x/y.png"}']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      image_url: 'https://x/y.png',
      ss_guidance_strength: 7.5,
      ss_sampling_steps: 12,
      slat_guidance_strength: 3,
      slat_sampling_steps: 12,
      mesh_simplify: 0.95,
      texture_size: 1024,
    });
  });

  it('prints all problems in the 422 shape and exits 2', async () => {
    const r = await cli(['validate', '{"image_url":"x","ss_sampling_steps":0,"texture_size":300}']);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout) as { detail: { loc: string[]; msg: string }[] };
    expect(body.detail.map((d) => d.loc)).toEqual([
      ['body', 'image_url'],
      ['body', 'ss_sampling_steps'],
      ['body', 'texture_size'],
    ]);
    expect(body.detail[1]!.msg).toContain('between 1 and 50');
    expect(body.detail[2]!.msg).toContain('512, 1024, 2048');
  });

  it('checks the multi endpoint with --multi, keeping a given seed', async () => {
    const r = await cli(['validate', '--multi', '{"image_urls":["https://a/1.png","data:image/png;base64,AA=="],"seed":7,"multiimage_algo":"multidiffusion","texture_size":"512"}']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.seed).toBe(7);
    expect(v.texture_size).toBe(512);
    expect(v.multiimage_algo).toBe('multidiffusion');
  });

  it('reads JSON from stdin with "-"', async () => {
    const r = await cli(['validate', '-'], '{"image_url":"https://x/y.png","seed":3}');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).seed).toBe(3);
  });

  it('rejects malformed JSON with exit 2', async () => {
    const r = await cli(['validate', '{image_url:']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr).detail[0].type).toBe('json_invalid');
  });

  it('rejects a missing argument and unknown options with usage and exit 2', async () => {
    const none = await cli(['validate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: trellis-web validate');
    const bad = await cli(['validate', '--mutli', '{}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--mutli');
  });
});

describe('trellis-web dispatcher', () => {
  it('lists commands and exits 2 for an unknown command', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
    for (const name of ['validate', 'convert', 'verify', 'generate', 'fixtures']) expect(r.stderr).toContain(name);
  });

  it('prints usage and exits 2 without a command', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: trellis-web <command>');
  });
});
