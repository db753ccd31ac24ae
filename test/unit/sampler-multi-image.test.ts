// Multi-image modes of the sampler (inject_sampler_multi_image): which cond each model call
// gets, in which order, and that the combination matches the reference formulas.
import { describe, expect, it } from 'vitest';
import { sampleFlowEuler } from '../../src/engine/sampler/flow-euler.ts';
import { timePairs } from '../../src/engine/sampler/schedule.ts';
import type { CondRef, SamplerParams, VelocityFn } from '../../src/engine/sampler/types.ts';

const f = Math.fround;
const noise = Float32Array.from({ length: 24 }, (_, i) => f(Math.sin(i * 1.7) * 1.3));

type Call = { t1000: number; cond: string };
const label = (c: CondRef): string => (c.kind === 'neg' ? 'neg' : `c${c.index}`);

/** Output depends on the cond index (and differs for neg), so a wrong index or order changes x. */
function indexedModel(calls: Call[]): VelocityFn {
  return async (x, t1000, cond) => {
    calls.push({ t1000, cond: label(cond) });
    const bias = cond.kind === 'neg' ? f(-0.3) : f(0.1 * (cond.index + 1) + 0.05 * cond.index * cond.index);
    return x.map((v, i) => f(f(f(0.5) * v) + bias) + f(f(1e-4 * t1000) * f((i % 5) - 2)));
  };
}

/** Straight re-statement of the reference loop, for the expected calls and result. */
async function referenceRun(params: SamplerParams, algo: 'single' | 'stochastic' | 'multidiffusion', k: number) {
  const calls: Call[] = [];
  const model = indexedModel(calls);
  let x = Float32Array.from(noise);
  const idx = Array.from({ length: params.steps }, (_, i) => i % k);
  for (const [t, tPrev] of timePairs(params.steps, params.rescaleT)) {
    const t1000 = f(1000 * t);
    const guided = params.cfgInterval[0] <= t && t <= params.cfgInterval[1];
    let v: Float32Array;
    if (algo === 'multidiffusion') {
      const preds: Float32Array[] = [];
      for (let c = 0; c < k; c++) preds.push(await model(x, t1000, { kind: 'cond', index: c }));
      const mean = preds.reduce((acc, p) => acc.map((a, i) => a + p[i]), new Float32Array(x.length)).map((s) => s / k);
      v = mean;
      if (guided) {
        const neg = await model(x, t1000, { kind: 'neg' });
        v = mean.map((m, i) => f(f(1 + params.cfgStrength) * m) - f(f(params.cfgStrength) * neg[i]));
      }
    } else {
      const index = algo === 'single' ? 0 : idx.shift()!;
      const vc = await model(x, t1000, { kind: 'cond', index });
      v = vc;
      if (guided) {
        const vn = await model(x, t1000, { kind: 'neg' });
        v = vc.map((c, i) => f(f(1 + params.cfgStrength) * c) - f(f(params.cfgStrength) * vn[i]));
      }
    }
    const dt = f(t - tPrev);
    x = x.map((xi, i) => xi - f(dt * v[i]));
  }
  return { x, calls };
}

const params: SamplerParams = { steps: 6, cfgStrength: 3, cfgInterval: [0.5, 1], rescaleT: 3, sigmaMin: 1e-5 };

describe('stochastic multi-image', () => {
  it('uses cond i mod K at step i, then the interval logic with the zero neg', async () => {
    const calls: Call[] = [];
    const res = await sampleFlowEuler(noise, indexedModel(calls), params, { multi: { algo: 'stochastic', count: 3 } });
    const guided = timePairs(6, 3).map(([t]) => t >= 0.5 && t <= 1);
    const expected: string[] = [];
    guided.forEach((g, i) => expected.push(`c${i % 3}`, ...(g ? ['neg'] : [])));
    expect(calls.map((c) => c.cond)).toEqual(expected);
    expect(guided.filter(Boolean).length).toBeGreaterThan(0);
    expect(guided.filter((g) => !g).length).toBeGreaterThan(0);
    const ref = await referenceRun(params, 'stochastic', 3);
    expect(ref.calls).toEqual(calls);
    expect(Array.from(res.samples)).toEqual(Array.from(ref.x));
    expect(res.warnings).toEqual([]);
  });

  it('warns when K > steps and never uses images beyond the steps', async () => {
    const calls: Call[] = [];
    const seen: string[] = [];
    const p = { ...params, steps: 3 };
    const res = await sampleFlowEuler(noise, indexedModel(calls), p, { multi: { algo: 'stochastic', count: 5 }, onWarning: (m) => seen.push(m) });
    expect(res.warnings.length).toBe(1);
    expect(res.warnings[0]).toMatch(/greater than the number of steps/);
    expect(seen).toEqual(res.warnings);
    expect(new Set(calls.filter((c) => c.cond !== 'neg').map((c) => c.cond))).toEqual(new Set(['c0', 'c1', 'c2']));
    const ref = await referenceRun(p, 'stochastic', 5);
    expect(Array.from(res.samples)).toEqual(Array.from(ref.x));
  });

  it('with K = 1 equals the single-image sampler', async () => {
    const a = await sampleFlowEuler(noise, indexedModel([]), params, { multi: { algo: 'stochastic', count: 1 } });
    const b = await sampleFlowEuler(noise, indexedModel([]), params);
    expect(Array.from(a.samples)).toEqual(Array.from(b.samples));
    const ref = await referenceRun(params, 'single', 1);
    expect(Array.from(b.samples)).toEqual(Array.from(ref.x));
  });
});

describe('multidiffusion multi-image', () => {
  it('makes K + 1 calls inside the interval and K outside, averaging the conds', async () => {
    const calls: Call[] = [];
    const res = await sampleFlowEuler(noise, indexedModel(calls), params, { multi: { algo: 'multidiffusion', count: 3 } });
    const expected: string[] = [];
    for (const [t] of timePairs(6, 3)) expected.push('c0', 'c1', 'c2', ...(t >= 0.5 && t <= 1 ? ['neg'] : []));
    expect(calls.map((c) => c.cond)).toEqual(expected);
    const ref = await referenceRun(params, 'multidiffusion', 3);
    expect(ref.calls).toEqual(calls);
    expect(Array.from(res.samples)).toEqual(Array.from(ref.x));
  });
});

describe('pair hook', () => {
  for (const multi of [undefined, { algo: 'stochastic' as const, count: 3 }, { algo: 'multidiffusion' as const, count: 3 }]) {
    it(`gives identical samples (${multi?.algo ?? 'single'}) and replaces the neg calls`, async () => {
      const plainCalls: Call[] = [];
      const plain = await sampleFlowEuler(noise, indexedModel(plainCalls), params, { multi });
      const calls: Call[] = [];
      const model = indexedModel(calls);
      const pairs: number[] = [];
      const pair = async (x: Float32Array, t1000: number, condIndex: number): Promise<[Float32Array, Float32Array]> => {
        pairs.push(condIndex);
        return [await model(x, t1000, { kind: 'cond', index: condIndex }), await model(x, t1000, { kind: 'neg' })];
      };
      const viaPair = await sampleFlowEuler(noise, model, params, { multi, pair });
      expect(Array.from(viaPair.samples)).toEqual(Array.from(plain.samples));
      expect(pairs.length).toBe(plainCalls.filter((c) => c.cond === 'neg').length);
    });
  }
});

describe('cancellation and validation', () => {
  it('checks the signal before every model call', async () => {
    const ac = new AbortController();
    const calls: Call[] = [];
    const inner = indexedModel(calls);
    const model: VelocityFn = async (x, t, c) => {
      const out = await inner(x, t, c);
      if (calls.length === 3) ac.abort();
      return out;
    };
    await expect(sampleFlowEuler(noise, model, params, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls.length).toBe(3);
  });

  it('reports progress after each step', async () => {
    const seen: [number, number][] = [];
    await sampleFlowEuler(noise, indexedModel([]), params, { onStep: (s, n) => seen.push([s, n]) });
    expect(seen).toEqual(Array.from({ length: 6 }, (_, i) => [i + 1, 6]));
  });

  it('does not modify the noise and traces every step', async () => {
    const copy = Float32Array.from(noise);
    const res = await sampleFlowEuler(noise, indexedModel([]), params, { trace: true });
    expect(Array.from(noise)).toEqual(Array.from(copy));
    expect(res.trace!.xSteps.length).toBe(6);
    expect(Array.from(res.trace!.xSteps[5])).toEqual(Array.from(res.samples));
  });

  it('rejects bad parameters and model outputs with specific errors', async () => {
    const m = indexedModel([]);
    await expect(sampleFlowEuler(noise, m, { ...params, steps: 0 })).rejects.toThrow(/steps/);
    await expect(sampleFlowEuler(noise, m, { ...params, rescaleT: 0 })).rejects.toThrow(/rescaleT/);
    await expect(sampleFlowEuler(noise, m, { ...params, cfgInterval: [0.5, NaN] })).rejects.toThrow(/cfgInterval/);
    await expect(sampleFlowEuler(noise, m, params, { multi: { algo: 'stochastic', count: 0 } })).rejects.toThrow(/multi.count/);
    await expect(sampleFlowEuler(noise, m, params, { multi: { algo: 'average' as never, count: 2 } })).rejects.toThrow(/multi.algo/);
    await expect(sampleFlowEuler(new Float32Array(0), m, params)).rejects.toThrow(/noise/);
    const short: VelocityFn = async (x) => new Float32Array(x.length - 1);
    await expect(sampleFlowEuler(noise, short, params)).rejects.toThrow(/cond 0\) returned 23 values; expected a Float32Array of 24/);
  });
});
