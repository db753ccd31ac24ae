// `trellis-web generate` end to end in Node on a stand-in model folder: fal params validated,
// engine run, GLB written; usage errors exit 2 with the reason.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
// @ts-expect-error gltf-validator ships no type declarations
import validator from 'gltf-validator';
import { run } from '../../src/cli/generate.ts';
import { UsageError } from '../../src/cli/args.ts';
import { writeFakeModelFolder } from './engine-fixture.ts';

let dir: string;
let image: string;
let opaque: string;

function writePng(file: string, transparent: boolean): void {
  const w = 96;
  const h = 80;
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const inside = ((x - 48) / 30) ** 2 + ((y - 40) / 25) ** 2 < 1;
    p.data.set([200, (x * 2) & 255, 60, inside || !transparent ? 255 : 0], (y * w + x) * 4);
  }
  writeFileSync(file, PNG.sync.write(p));
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'trellis-cli-gen-'));
  writeFakeModelFolder(path.join(dir, 'models'));
  image = path.join(dir, 'in.png');
  opaque = path.join(dir, 'opaque.png');
  writePng(image, true);
  writePng(opaque, false);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trellis-web generate', () => {
  it('writes a GLB from an RGBA PNG', async () => {
    const out = path.join(dir, 'out.glb');
    const lines: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    try {
      const code = await run([image, '--models', path.join(dir, 'models'), '--out', out, '--seed', '3', '--ss_sampling_steps', '2', '--slat_sampling_steps', '2', '--texture_size', '512', '--mesh_simplify', '0.9']);
      expect(code).toBe(0);
    } finally {
      stderr.mockRestore();
    }
    const glb = readFileSync(out);
    expect(glb.readUInt32LE(0)).toBe(0x46546c67); // 'glTF'
    expect(glb.readUInt32LE(4)).toBe(2);
    expect(glb.readUInt32LE(8)).toBe(glb.byteLength);
    // The summary line counts what was written (the Khronos validator counts the same file),
    // not the mesh before simplification.
    const report = await validator.validateBytes(new Uint8Array(glb));
    const wrote = /wrote .* \((\d+) bytes; (\d+) triangles, (\d+) vertices\)/.exec(lines.join(''));
    expect(wrote, lines.join('')).not.toBeNull();
    expect(Number(wrote![1])).toBe(glb.byteLength);
    expect(Number(wrote![2])).toBe(report.info.totalTriangleCount);
    expect(Number(wrote![3])).toBe(report.info.totalVertexCount);
  }, 300_000);

  it('rejects out-of-range fal parameters before loading anything', async () => {
    await expect(run([image, '--models', path.join(dir, 'models'), '--out', path.join(dir, 'x.glb'), '--ss_sampling_steps', '99'])).rejects.toThrow(/ss_sampling_steps must be between 1 and 50/);
    await expect(run([image, '--models', path.join(dir, 'models'), '--out', path.join(dir, 'x.glb'), '--texture_size', '300'])).rejects.toThrow(UsageError);
    await expect(run([image, '--out', path.join(dir, 'x.glb')])).rejects.toThrow(/--models/);
    expect(existsSync(path.join(dir, 'x.glb'))).toBe(false);
  });

  it('opaque image without a background model: exit 1 with NO_BACKGROUND_MODEL; --use-image-as-is works', async () => {
    const lines: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    try {
      const out = path.join(dir, 'opaque.glb');
      expect(await run([opaque, '--models', path.join(dir, 'models'), '--out', out, '--quiet'])).toBe(1);
      expect(lines.join('')).toMatch(/NO_BACKGROUND_MODEL/);
      expect(await run([opaque, '--models', path.join(dir, 'models'), '--out', out, '--quiet', '--use-image-as-is', '--ss_sampling_steps', '1', '--slat_sampling_steps', '1'])).toBe(0);
      expect(existsSync(out)).toBe(true);
    } finally {
      stderr.mockRestore();
    }
  }, 300_000);
});
