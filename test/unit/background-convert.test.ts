// convert --background-model: which kind a folder is, the I/O read from the ONNX protobuf, and
// clear errors for folders the engine could not run.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { readGraphIO } from '../../src/convert/onnx/onnx-reader.ts';
import { backgroundFileRole, backgroundGraphIO, planBackgroundModel } from '../../src/convert/background-model.ts';
import { run as convertCli } from '../../src/cli/convert.ts';
import { UsageError } from '../../src/cli/args.ts';
import { mixU2netGraph, writeMixU2netFolder } from './background-fixtures.ts';

const work = mkdtempSync(path.join(tmpdir(), 'trellis-bg-convert-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = path.join(work, name);
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), data);
  }
  return dir;
}

function graph(inputs: [string, 'float32' | 'int64', (number | string)[]][]): Uint8Array {
  const g = new GraphBuilder('g');
  const names = inputs.map(([n, d, s]) => g.input(n, d, s));
  g.output(g.op('Identity', [names[0]]), 'y', inputs[0][1], inputs[0][2]);
  return g.toBytes();
}

describe('background model folders', () => {
  it('readGraphIO returns names, element types and shapes (symbolic dims by name) of a built graph', () => {
    const io = readGraphIO(mixU2netGraph(64).toBytes());
    expect(io).toEqual({
      inputs: [{ name: 'input.1', dtype: 'float32', shape: [1, 3, 64, 64] }],
      outputs: [{ name: 'd0', dtype: 'float32', shape: ['batch', 1, 64, 64] }],
    });
    expect(() => readGraphIO(new TextEncoder().encode('{"not": "onnx"}'))).toThrow(/not an ONNX model/);
  });

  it('detects the kind from the layout, or takes it explicitly', () => {
    const u2 = path.join(work, 'u2');
    writeMixU2netFolder(u2);
    expect(planBackgroundModel(u2)).toEqual({ kind: 'u2net', graph: 'u2netp.onnx', dtype: 'fp32' });
    const tf = folder('tf', {
      'config.json': JSON.stringify({ model_type: 'isnet' }),
      'preprocessor_config.json': '{}',
      'onnx/model_fp16.onnx': graph([['pixel_values', 'float32', ['b', 3, 1024, 1024]]]),
      'onnx/model_quantized.onnx': graph([['pixel_values', 'float32', ['b', 3, 1024, 1024]]]),
    });
    expect(planBackgroundModel(tf)).toEqual({ kind: 'transformers', graph: 'onnx/model_fp16.onnx', transformersDtype: 'fp16', dtype: 'fp16' });
    // Explicitly u2net: a transformers folder with two graphs is not one.
    expect(() => planBackgroundModel(tf, 'u2net')).toThrow(/u2net-style folder \(exactly one \.onnx file.*found 2 \.onnx files/);
    expect(() => planBackgroundModel(u2, 'transformers')).toThrow(/config\.json is missing.*preprocessor_config\.json is missing.*onnx\/model\*\.onnx is missing/);
    expect(backgroundFileRole('onnx/model.onnx_data')).toBe('external_data');
    expect(backgroundFileRole('u2netp.onnx.data')).toBe('external_data');
    expect(backgroundFileRole('config.json')).toBe('other');
  });

  it('names the folder and what is expected when the layout is unknown', () => {
    const empty = folder('weights-only', { 'model.safetensors': 'x', 'README.md': 'y' });
    expect(() => planBackgroundModel(empty)).toThrow(new RegExp(`${empty}: cannot tell what kind.*transformers\\.js layout.*u2net-style folder.*--background-kind`));
    expect(() => planBackgroundModel(path.join(work, 'nope'))).toThrow(/background model folder not found/);
    const noType = folder('tf-no-type', { 'config.json': '{}', 'preprocessor_config.json': '{}', 'onnx/model.onnx': graph([['x', 'float32', [1, 3, 8, 8]]]) });
    expect(() => planBackgroundModel(noType)).toThrow(/"model_type".*is required by transformers\.js/);
  });

  it('u2net I/O is checked at convert time', () => {
    const two = folder('two-inputs', { 'm.onnx': graph([['a', 'float32', [1, 3, 32, 32]], ['b', 'float32', [1, 3, 32, 32]]]) });
    expect(() => backgroundGraphIO(path.join(two, 'm.onnx'), 'u2net')).toThrow(/one float32 image input \[1, 3, S, S\].*has 2 inputs/);
    const gray = folder('gray', { 'm.onnx': graph([['a', 'float32', [1, 1, 32, 32]]]) });
    expect(() => backgroundGraphIO(path.join(gray, 'm.onnx'), 'u2net')).toThrow(/got a float32 \[1, 1, 32, 32\]/);
    const ints = folder('ints', { 'm.onnx': graph([['a', 'int64', [1, 3, 32, 32]]]) });
    expect(() => backgroundGraphIO(path.join(ints, 'm.onnx'), 'u2net')).toThrow(/got a int64 \[1, 3, 32, 32\]/);
    const rect = folder('rect', { 'm.onnx': graph([['a', 'float32', [1, 3, 32, 48]]]) });
    expect(() => backgroundGraphIO(path.join(rect, 'm.onnx'), 'u2net')).toThrow(/\[1, 3, 32, 48\]/);
    // The same graphs are fine for transformers.js, which feeds its own pixel_values.
    expect(backgroundGraphIO(path.join(rect, 'm.onnx'), 'transformers').inputs[0].shape).toEqual([1, 3, 32, 48]);
  });

  it('CLI: --background-kind is checked before any work', async () => {
    await expect(convertCli(['--from', work, '--out', path.join(work, 'o'), '--background-model', work, '--background-kind', 'rembg'])).rejects.toThrow(UsageError);
    await expect(convertCli(['--from', work, '--out', path.join(work, 'o'), '--background-kind', 'u2net'])).rejects.toThrow(/needs --background-model/);
  });
});
