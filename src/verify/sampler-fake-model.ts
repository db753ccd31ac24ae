// The deterministic stand-in network of golden/sampler (golden README):
//   v = 0.7·x + 0.3·(t/1000) + 0.5·mean(cond)
// evaluated as torch does on float32 CPU tensors. The guided velocity (1 + w)·v_c − w·v_n cancels
// most of v, so the golden pred_x0 only reproduces to 1e-6 if this model is exact to the bit,
// including torch's float32 sum order for the mean.
import type { CondRef, VelocityFn } from '../engine/sampler/types.ts';

const f = Math.fround;
const VEC = 8; // AVX2 Vectorized<float> lanes
const ILP = 4; // row_sum interleaves 4 vector accumulators

type Lanes = Float32Array;

function addLanes(acc: Lanes, src: Lanes): void {
  for (let l = 0; l < VEC; l++) acc[l] = acc[l] + src[l];
}

/** multi_row_sum<Vectorized<float>, 4> of aten/src/ATen/native/cpu/SumKernel.cpp (4-level cascade). */
function multiRowSum(data: Float32Array, rows: number): Lanes[] {
  const levels = 4;
  const ceilLog2 = rows <= 1 ? 0 : Math.ceil(Math.log2(rows));
  const levelPower = Math.max(4, Math.floor(ceilLog2 / levels));
  const levelStep = 1 << levelPower;
  const levelMask = levelStep - 1;
  const acc = Array.from({ length: levels }, () => Array.from({ length: ILP }, () => new Float32Array(VEC)));
  const load = (row: number, k: number): Lanes => data.subarray((row * ILP + k) * VEC, (row * ILP + k + 1) * VEC);
  let i = 0;
  while (i + levelStep <= rows) {
    for (let j = 0; j < levelStep; j++, i++) for (let k = 0; k < ILP; k++) addLanes(acc[0][k], load(i, k));
    for (let j = 1; j < levels; j++) {
      for (let k = 0; k < ILP; k++) {
        addLanes(acc[j][k], acc[j - 1][k]);
        acc[j - 1][k].fill(0);
      }
      if ((i & (levelMask << (j * levelPower))) !== 0) break;
    }
  }
  for (; i < rows; i++) for (let k = 0; k < ILP; k++) addLanes(acc[0][k], load(i, k));
  for (let j = 1; j < levels; j++) for (let k = 0; k < ILP; k++) addLanes(acc[0][k], acc[j][k]);
  return acc[0];
}

/**
 * torch.sum of a contiguous float32 vector on an AVX2 CPU (vectorized_inner_sum), single thread.
 * Checked against the golden cond mean (30 values, no multi-row cascade); the cascade for 32+
 * values follows the source but had no torch to compare with here.
 */
export function torchSumF32(data: Float32Array): number {
  if (data.length < VEC) {
    let s = 0;
    for (const v of data) s = f(s + v);
    return s;
  }
  const vectors = Math.floor(data.length / VEC);
  const rows = Math.floor(vectors / ILP);
  const partial = multiRowSum(data, rows);
  for (let v = rows * ILP; v < vectors; v++) addLanes(partial[0], data.subarray(v * VEC, (v + 1) * VEC));
  for (let k = 1; k < ILP; k++) addLanes(partial[0], partial[k]);
  let total = 0;
  for (let e = vectors * VEC; e < data.length; e++) total = f(total + data[e]);
  for (let l = 0; l < VEC; l++) total = f(total + partial[0][l]);
  return total;
}

/** torch.mean of a float32 tensor: float32 sum, then divided by numel in float32. */
export function torchMeanF32(data: Float32Array): number {
  if (data.length === 0) throw new RangeError('mean of an empty tensor');
  return f(torchSumF32(data) / data.length);
}

export interface FakeModelCall {
  t1000: number;
  condMean: number;
  cond: CondRef;
}

/**
 * The golden fake model over K conds (cond is [K, ...] flattened, each row `condSize` values);
 * the negative cond is zeros. Every call is appended to `calls`.
 */
export function goldenFakeModel(cond: Float32Array, condCount: number, calls: FakeModelCall[]): VelocityFn {
  if (!Number.isInteger(condCount) || condCount < 1 || cond.length % condCount !== 0) {
    throw new RangeError(`cond of ${cond.length} values cannot be split into ${condCount} rows`);
  }
  const rowSize = cond.length / condCount;
  const means = Array.from({ length: condCount }, (_, k) => torchMeanF32(cond.subarray(k * rowSize, (k + 1) * rowSize)));
  const c07 = f(0.7);
  const c03 = f(0.3);
  return async (x, t1000, ref) => {
    if (ref.kind === 'cond' && !(ref.index >= 0 && ref.index < condCount)) {
      throw new RangeError(`cond index ${ref.index} outside [0, ${condCount})`);
    }
    const m = ref.kind === 'neg' ? 0 : means[ref.index];
    calls.push({ t1000, condMean: m, cond: ref });
    const tTerm = f(c03 * f(t1000 / 1000));
    const mTerm = f(0.5 * m);
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = f(f(c07 * x[i]) + tTerm) + mTerm;
    return out;
  };
}
