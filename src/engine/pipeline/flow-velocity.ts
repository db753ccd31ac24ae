// Turns a flow network runner into the sampler's velocity functions. Everything that is constant
// over a stage (the K conds, the zero neg cond, index maps) is pinned once; each call only
// uploads x and t.
import type { VelocityFn, VelocityPairFn } from '../sampler/index.ts';
import type { ComponentRunner, CondTensor, FeedValue, HostTensor, PinnedTensor } from './types.ts';

export interface FlowFeeds {
  runner: ComponentRunner;
  /** Graph input name of the noisy latent and its batch-1 dims. */
  xName: string;
  xDims: number[];
  /** Output name of the velocity. */
  vName: string;
  /** Inputs identical for every call (index maps); already pinned by the caller. */
  statics: Record<string, FeedValue>;
  /** The graph accepts a batch of 2 along axis 0 of x, t and cond (dense stage-1 flow). */
  batchPair: boolean;
}

export interface FlowVelocity {
  model: VelocityFn;
  pair?: VelocityPairFn;
  /** Frees every pinned cond tensor. */
  release(): void;
}

function condSlice(cond: CondTensor, k: number): Float32Array {
  const [, L, C] = cond.dims;
  return cond.data.subarray(k * L * C, (k + 1) * L * C);
}

/** Pins cond_k [1,L,C] for every k, neg = zeros [1,L,C], and (if batching) [cond_k; neg] [2,L,C]. */
export async function makeFlowVelocity(f: FlowFeeds, cond: CondTensor): Promise<FlowVelocity> {
  const [K, L, C] = cond.dims;
  const pinned: PinnedTensor[] = [];
  const pin = async (t: HostTensor): Promise<PinnedTensor> => {
    const p = await f.runner.pin(t);
    pinned.push(p);
    return p;
  };
  try {
    const conds: PinnedTensor[] = [];
    for (let k = 0; k < K; k++) conds.push(await pin({ dtype: 'float32', dims: [1, L, C], data: condSlice(cond, k) }));
    const neg = await pin({ dtype: 'float32', dims: [1, L, C], data: new Float32Array(L * C) });
    const pairs: PinnedTensor[] = [];
    if (f.batchPair) {
      for (let k = 0; k < K; k++) {
        const both = new Float32Array(2 * L * C);
        both.set(condSlice(cond, k), 0); // second half stays zero: the neg cond
        pairs.push(await pin({ dtype: 'float32', dims: [2, L, C], data: both }));
      }
    }
    const xSize = f.xDims.reduce((a, b) => a * b, 1);
    const model: VelocityFn = async (x, t1000, ref) => {
      const out = await f.runner.run(
        {
          ...f.statics,
          [f.xName]: { dtype: 'float32', dims: f.xDims, data: x },
          t: { dtype: 'float32', dims: [1], data: new Float32Array([t1000]) },
          cond: ref.kind === 'neg' ? neg : conds[ref.index],
        },
        [f.vName],
      );
      return out[f.vName].data as Float32Array;
    };
    let pair: VelocityPairFn | undefined;
    if (f.batchPair) {
      pair = async (x, t1000, index) => {
        const x2 = new Float32Array(2 * xSize);
        x2.set(x, 0);
        x2.set(x, xSize);
        const out = await f.runner.run(
          {
            ...f.statics,
            [f.xName]: { dtype: 'float32', dims: [2, ...f.xDims.slice(1)], data: x2 },
            t: { dtype: 'float32', dims: [2], data: new Float32Array([t1000, t1000]) },
            cond: pairs[index],
          },
          [f.vName],
        );
        const v = out[f.vName].data as Float32Array;
        return [v.subarray(0, xSize), v.subarray(xSize, 2 * xSize)];
      };
    }
    return {
      model,
      pair,
      release() {
        for (const p of pinned.splice(0)) p.release();
      },
    };
  } catch (error) {
    for (const p of pinned.splice(0)) p.release();
    throw error;
  }
}

/** Pins every tensor of `feeds`; on failure releases what was pinned. */
export async function pinAll(runner: ComponentRunner, feeds: Record<string, HostTensor>): Promise<{ feeds: Record<string, PinnedTensor>; release(): void }> {
  const out: Record<string, PinnedTensor> = {};
  const release = () => {
    for (const p of Object.values(out)) p.release();
  };
  try {
    for (const [name, t] of Object.entries(feeds)) out[name] = await runner.pin(t);
  } catch (error) {
    release();
    throw error;
  }
  return { feeds: out, release };
}
