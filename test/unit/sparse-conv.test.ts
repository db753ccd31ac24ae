import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { Weights } from '../../src/convert/weights.ts';
import { submConv1x1Quirk, submConv3d, submConv3dFromParents, type SubmConvMode } from '../../src/convert/layers/sparse-conv.ts';
import { buildNeighbourMap, childNeighbourMap } from '../../src/engine/sparse/neighbours.ts';
import { subdivideCoords } from '../../src/engine/sparse/subdivide.ts';
import { runGraph } from '../helpers/ort.ts';
import { MemoryStateDict, randomArray, randomCoords } from './sparse-testkit.ts';

/** Dense reference: out[p] = b + Σ_{r∈{0,1,2}³} W[:,r0,r1,r2,:]·in[p + r − 1], KRSC weights. */
function bruteConv(coords: Int32Array, n: number, x: Float32Array, w: Float32Array, b: Float32Array, cin: number, cout: number): Float32Array {
  const grid = new Map<string, number>();
  for (let i = 0; i < n; i++) grid.set(Array.from(coords.subarray(i * 4, i * 4 + 4)).join(','), i);
  const out = new Float32Array(n * cout);
  for (let i = 0; i < n; i++) {
    const acc = new Float64Array(cout);
    for (let o = 0; o < cout; o++) acc[o] = b[o];
    for (let r0 = 0; r0 < 3; r0++) for (let r1 = 0; r1 < 3; r1++) for (let r2 = 0; r2 < 3; r2++) {
      const j = grid.get([coords[i * 4], coords[i * 4 + 1] + r0 - 1, coords[i * 4 + 2] + r1 - 1, coords[i * 4 + 3] + r2 - 1].join(','));
      if (j === undefined) continue;
      for (let o = 0; o < cout; o++) {
        const base = (((o * 3 + r0) * 3 + r1) * 3 + r2) * cin;
        for (let c = 0; c < cin; c++) acc[o] += w[base + c] * x[j * cin + c];
      }
    }
    for (let o = 0; o < cout; o++) out[i * cout + o] = acc[o];
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('submanifold sparse conv graph', () => {
  const cin = 5;
  const cout = 7;
  const weight = randomArray(cout * 27 * cin, 11);
  const bias = randomArray(cout, 12);
  const sd = () => new MemoryStateDict({ 'c.conv.weight': { shape: [cout, 3, 3, 3, cin], data: weight }, 'c.conv.bias': { shape: [cout], data: bias } });

  // 'accumulate' gathers the narrower side: inputs when cin ≤ cout, products when cin > cout.
  for (const [ci, co] of [[cin, cout], [9, 4]] as const) {
    const wgt = ci === cin ? weight : randomArray(co * 27 * ci, 13);
    const bs = ci === cin ? bias : randomArray(co, 14);
    const sdc = () => new MemoryStateDict({ 'c.conv.weight': { shape: [co, 3, 3, 3, ci], data: wgt }, 'c.conv.bias': { shape: [co], data: bs } });
    for (const mode of ['gather-all', 'accumulate'] as SubmConvMode[]) {
      it(`${mode} (${ci} → ${co} channels): equals the dense cross-correlation at active sites`, async () => {
        const n = 300;
        const coords = randomCoords(n, 8, 2, 5);
        const x = randomArray(n * ci, 6);
        const g = new GraphBuilder('conv');
        const w = new Weights(sdc(), g);
        const y = submConv3d(g, w, g.input('x', 'float32', ['N', ci]), g.input('nbr', 'int32', ['N', 27]), 'c.conv', ci, co, mode);
        g.output(y, 'y', 'float32', ['N', co]);
        w.assertAllUsed();
        const out = await runGraph(g.toBytes(), {
          x: { dtype: 'float32', dims: [n, ci], data: x },
          nbr: { dtype: 'int32', dims: [n, 27], data: buildNeighbourMap(coords, n) },
        });
        const ref = bruteConv(coords, n, x, wgt, bs, ci, co);
        expect(maxAbsDiff(out.y.data as Float32Array, ref)).toBeLessThan(1e-5);
        // a flipped kernel must not pass (guards against a test that cannot fail)
        const flipped = new Float32Array(wgt.length);
        for (let o = 0; o < co; o++) for (let k = 0; k < 27; k++) for (let c = 0; c < ci; c++) flipped[(o * 27 + k) * ci + c] = wgt[(o * 27 + 26 - k) * ci + c];
        expect(maxAbsDiff(out.y.data as Float32Array, bruteConv(coords, n, x, flipped, bs, ci, co))).toBeGreaterThan(0.1);
      });
    }
  }

  it('from-parents form equals the conv of the subdivided features', async () => {
    const n = 60;
    const coords = randomCoords(n, 5, 2, 7);
    const x = randomArray(n * cin, 8);
    const child = subdivideCoords(coords, n);
    const xs = new Float32Array(8 * n * cin);
    for (let i = 0; i < 8 * n; i++) xs.set(x.subarray((i >> 3) * cin, ((i >> 3) + 1) * cin), i * cin);
    const g = new GraphBuilder('conv');
    const w = new Weights(sd(), g);
    const y = submConv3dFromParents(g, w, g.input('x', 'float32', ['P', cin]), g.input('nbr', 'int32', ['C', 27]), 'c.conv', cin, cout);
    g.output(y, 'y', 'float32', ['C', cout]);
    const out = await runGraph(g.toBytes(), {
      x: { dtype: 'float32', dims: [n, cin], data: x },
      nbr: { dtype: 'int32', dims: [8 * n, 27], data: childNeighbourMap(buildNeighbourMap(coords, n), n) },
    });
    expect(maxAbsDiff(out.y.data as Float32Array, bruteConv(child, 8 * n, xs, weight, bias, cin, cout))).toBeLessThan(1e-5);
  });

  it('kernel-1 quirk reinterprets [out,1,1,1,in] as [in,out] without transposing', async () => {
    const n = 4;
    const w1 = randomArray(cout * cin, 21);
    const b1 = randomArray(cout, 22);
    const x = randomArray(n * cin, 23);
    const g = new GraphBuilder('skip');
    const w = new Weights(new MemoryStateDict({ 's.conv.weight': { shape: [cout, 1, 1, 1, cin], data: w1 }, 's.conv.bias': { shape: [cout], data: b1 } }), g);
    g.output(submConv1x1Quirk(g, w, g.input('x', 'float32', ['N', cin]), 's.conv', cin, cout), 'y', 'float32', ['N', cout]);
    const out = await runGraph(g.toBytes(), { x: { dtype: 'float32', dims: [n, cin], data: x } });
    const ref = new Float32Array(n * cout);
    for (let i = 0; i < n; i++) for (let o = 0; o < cout; o++) {
      let s = b1[o];
      for (let c = 0; c < cin; c++) s += x[i * cin + c] * w1[c * cout + o];
      ref[i * cout + o] = s;
    }
    expect(maxAbsDiff(out.y.data as Float32Array, ref)).toBeLessThan(1e-5);
  });
});
