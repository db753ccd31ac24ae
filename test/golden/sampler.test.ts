// golden/sampler: FlowEulerGuidanceIntervalSampler with the README's deterministic fake model.
// Run parameters come from index.json `_info.runN_params`.
import { describe, expect, it } from 'vitest';
import { compare, readIndex, readTensor } from '../helpers/golden.ts';
import { runGoldenSampler, samplerRuns } from '../../src/verify/rng-sampler.ts';
import { sampleFlowEuler } from '../../src/engine/sampler/flow-euler.ts';
import { goldenFakeModel, torchMeanF32, type FakeModelCall } from '../../src/verify/sampler-fake-model.ts';

const CASE = 'sampler';
const TOL = 1e-6;
const index = readIndex(CASE);
const runs = samplerRuns(index);
const noise = readTensor(CASE, 'noise').data as Float32Array;
const cond = readTensor(CASE, 'cond').data as Float32Array;

function within(actual: ArrayLike<number>, ref: ArrayLike<number>): { maxAbs: number; limit: number } {
  const { maxAbs, rmsRef } = compare(actual, ref);
  return { maxAbs, limit: TOL * Math.max(1, rmsRef) };
}

describe('golden sampler', () => {
  it('has runs', () => {
    expect(runs.length).toBeGreaterThan(0);
  });

  describe.each(runs)('$name', ({ name, params }) => {
    it('matches model calls, t pairs, every step and the samples', async () => {
      const out = await runGoldenSampler(noise, cond, params);
      const n = noise.length;

      const calls = readTensor(CASE, `${name}_model_calls`).data as Float32Array;
      expect(out.calls.length).toBe(calls.length / 2);
      out.calls.forEach((c, i) => {
        expect(Math.abs(c.t1000 - calls[2 * i])).toBeLessThanOrEqual(TOL);
        expect(Math.abs(c.condMean - calls[2 * i + 1])).toBeLessThanOrEqual(TOL);
      });

      const tPairs = readTensor(CASE, `${name}_t_pairs`).data as Float64Array;
      expect(out.trace.tPairs.length).toBe(params.steps);
      expect(out.trace.tPairs.flat()).toEqual(Array.from(tPairs));

      const xs = readTensor(CASE, `${name}_x_steps`).data as Float32Array;
      const px = readTensor(CASE, `${name}_pred_x0_steps`).data as Float32Array;
      expect(xs.length).toBe(params.steps * n);
      for (let s = 0; s < params.steps; s++) {
        const x = within(out.trace.xSteps[s], xs.subarray(s * n, (s + 1) * n));
        expect(x.maxAbs, `x step ${s}`).toBeLessThanOrEqual(x.limit);
        const p = within(out.trace.predX0Steps[s], px.subarray(s * n, (s + 1) * n));
        expect(p.maxAbs, `pred_x0 step ${s}`).toBeLessThanOrEqual(p.limit);
      }

      const samples = within(out.samples, readTensor(CASE, `${name}_samples`).data as Float32Array);
      expect(samples.maxAbs).toBeLessThanOrEqual(samples.limit);
    });

    it('gives identical results through the batched pair hook', async () => {
      const calls: FakeModelCall[] = [];
      const model = goldenFakeModel(cond, 1, calls);
      let pairCalls = 0;
      const pair = async (x: Float32Array, t1000: number, condIndex: number): Promise<[Float32Array, Float32Array]> => {
        pairCalls++;
        return [await model(x, t1000, { kind: 'cond', index: condIndex }), await model(x, t1000, { kind: 'neg' })];
      };
      const viaPair = await sampleFlowEuler(noise, model, params, { pair });
      const plain = await runGoldenSampler(noise, cond, params);
      expect(Array.from(viaPair.samples)).toEqual(Array.from(plain.samples));
      expect(calls.map((c) => [c.t1000, c.cond.kind])).toEqual(plain.calls.map((c) => [c.t1000, c.cond.kind]));
      expect(pairCalls).toBe(calls.filter((c) => c.cond.kind === 'neg').length);
    });
  });

  it('fake model mean follows torch float32 sum order', () => {
    const calls = readTensor(CASE, 'run0_model_calls').data as Float32Array;
    expect(torchMeanF32(cond)).toBe(calls[1]);
  });
});
