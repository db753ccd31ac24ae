import { describe, expect, it } from 'vitest';
import { GraphBuilder, concatChunks, tensorFromArray } from '../../src/convert/onnx/graph-builder.ts';
import { floatToHalf, halfToFloat } from '../../src/convert/half.ts';
import { runGraph } from '../helpers/ort.ts';

describe('ONNX graph builder', () => {
  it('builds a graph ORT runs, with correct numbers', async () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', 'float32', ['N', 3]);
    const w = g.initializer('w', tensorFromArray('float32', [3, 2], [1, 2, 3, 4, 5, 6]));
    const y = g.scope('blk', () => g.op('Add', [g.op('MatMul', [x, w]), g.f32([0.5, -0.5])]));
    g.output(y, 'y', 'float32', ['N', 2]);
    const out = await runGraph(g.toBytes(), { x: { dtype: 'float32', dims: [2, 3], data: new Float32Array([1, 0, 2, -1, 1, 1]) } });
    // [1,0,2]·w = [1+10, 2+12] = [11, 14]; [-1,1,1]·w = [-1+3+5, -2+4+6] = [7, 8]
    expect(Array.from(out.y.data as Float32Array)).toEqual([11.5, 13.5, 7.5, 7.5]);
  });

  it('writes large initializers to external data that ORT loads', async () => {
    const g = new GraphBuilder('ext');
    const x = g.input('x', 'float32', [4]);
    const big = new Float32Array(4096).map((_, i) => i);
    const w = g.initializer('big', tensorFromArray('float32', [4096], big));
    const s = g.op('ReduceSum', [w], { keepdims: 0 });
    g.output(g.op('Add', [x, s]), 'y', 'float32', [4]);
    const ser = g.serialize({ externalDataFile: 'ext.onnx.data', externalThreshold: 1024 });
    expect(ser.dataBytes).toBeGreaterThanOrEqual(4096 * 4);
    expect(ser.modelBytes).toBeLessThan(4096);
    const out = await runGraph(concatChunks(ser.model), { x: { dtype: 'float32', dims: [4], data: new Float32Array([0, 1, 2, 3]) } }, [
      { path: 'ext.onnx.data', data: concatChunks(ser.data!) },
    ]);
    const sum = (4095 * 4096) / 2;
    expect(Array.from(out.y.data as Float32Array)).toEqual([sum, sum + 1, sum + 2, sum + 3]);
  });

  it('shards external data into files of bounded size that ORT loads together', async () => {
    const g = new GraphBuilder('shards');
    const x = g.input('x', 'float32', [1]);
    let acc = x;
    for (let i = 0; i < 3; i++) {
      const w = g.initializer(`w${i}`, tensorFromArray('float32', [4096], new Float32Array(4096).fill(i + 1)));
      acc = g.op('Add', [acc, g.op('ReduceSum', [w], { keepdims: 1 })]);
    }
    g.output(acc, 'y', 'float32', [1]);
    const ser = g.serialize({ externalDataFile: 'm.onnx.data', maxShardBytes: 20_000 });
    expect(ser.shards!.map((s) => s.file)).toEqual(['m.onnx.data', 'm.onnx.data.1', 'm.onnx.data.2']);
    expect(ser.shards!.every((s) => s.bytes <= 20_000)).toBe(true);
    const out = await runGraph(concatChunks(ser.model), { x: { dtype: 'float32', dims: [1], data: new Float32Array([0.5]) } },
      ser.shards!.map((s) => ({ path: s.file, data: concatChunks(s.chunks) })));
    expect(out.y.data[0]).toBe(0.5 + 4096 * (1 + 2 + 3));
  });

  it('round-trips half floats with ties to even', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8, 1 / 3]) {
      const h = halfToFloat(floatToHalf(v));
      expect(Math.abs(h - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25);
    }
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie -> even (down)
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(floatToHalf(1e6)).toBe(0x7c00);
  });
});
