// graphShapes() against ORT: for every converted tiny graph, the shapes it predicts for the
// outputs are the shapes ORT produces at the same feeds; and a sparse conv's largest tensor is
// the [N,27,Cin] gather in 'gather-all' form but never in 'accumulate' form.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyRandomModels } from '../../src/convert/fixtures/tiny-models.ts';
import { graphShapes } from '../../src/convert/onnx/tensor-shapes.ts';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { submConv3d, type SubmConvMode } from '../../src/convert/layers/sparse-conv.ts';
import { Weights } from '../../src/convert/weights.ts';
import { MemoryStateDict } from './sparse-testkit.ts';
import { convertedGraphCases, type GraphRunCase } from '../helpers/converted-graph-cases.ts';
import { runGraph } from '../helpers/ort.ts';

let dir = '';
let cases: GraphRunCase[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'trellis-shapes-'));
  await makeTinyRandomModels(path.join(dir, 'tiny'));
  cases = await convertedGraphCases(path.join(dir, 'tiny'));
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dimsOf = (c: GraphRunCase) => Object.fromEntries(Object.entries(c.feeds).map(([k, f]) => [k, f.dims]));

describe('graphShapes', () => {
  it('predicts the output shapes ORT produces for every converted tiny graph', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
    for (const c of cases) {
      const model = new Uint8Array(readFileSync(path.join(dir, 'tiny', c.file)));
      const shapes = graphShapes(model, dimsOf(c));
      const ext = c.externalData.map((p) => ({ path: p, data: new Uint8Array(readFileSync(path.join(dir, 'tiny', p))) }));
      const out = await runGraph(model, c.feeds, ext);
      for (const [name, t] of Object.entries(out)) {
        const predicted = shapes.values.find((v) => v.name === name && v.kind === 'output');
        expect(predicted?.dims, `${c.label} ${name}`).toEqual([...t.dims]);
      }
      expect(shapes.largest.bytes).toBeGreaterThan(0);
    }
  });

  it('rejects inputs that contradict the graph', () => {
    const c = cases.find((x) => x.component === 'ss_decoder')!;
    const model = new Uint8Array(readFileSync(path.join(dir, 'tiny', c.file)));
    const [name, dims] = Object.entries(dimsOf(c))[0];
    expect(() => graphShapes(model, { [name]: [...dims.slice(0, -1), dims.at(-1)! + 1] })).toThrow(/fixed at/);
  });

  for (const [mode, what] of [['gather-all', 'the [N,27,Cin] gather'], ['accumulate', 'one padded input row per voxel']] as [SubmConvMode, string][]) {
    it(`sparse conv '${mode}': largest activation is ${what}`, () => {
      const cin = 16;
      const cout = 8;
      const sd = new MemoryStateDict({ 'c.weight': { shape: [cout, 3, 3, 3, cin], data: new Float32Array(cout * 27 * cin) }, 'c.bias': { shape: [cout], data: new Float32Array(cout) } });
      const g = new GraphBuilder('conv');
      const w = new Weights(sd, g);
      g.output(submConv3d(g, w, g.input('x', 'float32', ['N', cin]), g.input('nbr', 'int32', ['N', 27]), 'c', cin, cout, mode), 'y', 'float32', ['N', cout]);
      const n = 100_000;
      const { values } = graphShapes(g.toBytes(), { x: [n, cin], nbr: [n, 27] });
      const largestActivation = Math.max(...values.filter((v) => v.kind !== 'initializer' && v.kind !== 'input').map((v) => v.bytes));
      expect(largestActivation).toBe(mode === 'gather-all' ? n * 27 * cin * 4 : (n + 1) * cin * 4);
    });
  }
});
