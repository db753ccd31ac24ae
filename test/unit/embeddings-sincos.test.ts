import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { sinCos } from '../../src/convert/layers/embeddings.ts';
import { runGraph } from '../helpers/ort.ts';

describe('in-graph sin/cos (range reduction + polynomials)', () => {
  it('matches Math.sin/Math.cos of the fp32 argument to 1e-6 from 0 to 1000 rad', async () => {
    const n = 20001;
    const x = Float32Array.from({ length: n }, (_, i) => (i === n - 1 ? -977.123 : i * 0.05 + Math.sin(i) * 0.01));
    const g = new GraphBuilder('sc');
    const xi = g.input('x', 'float32', [n]);
    const sc = sinCos(g, xi);
    g.output(sc.sin, 'sin', 'float32', [n]);
    g.output(sc.cos, 'cos', 'float32', [n]);
    const out = await runGraph(g.toBytes(), { x: { dtype: 'float32', dims: [n], data: x } });
    const s = out.sin.data as Float32Array;
    const c = out.cos.data as Float32Array;
    let err = 0;
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(s[i] - Math.sin(x[i])), Math.abs(c[i] - Math.cos(x[i])));
    expect(err).toBeLessThan(1e-6);
  });
});
