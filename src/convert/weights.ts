// Access to a checkpoint's state dict while a graph is built: shape checks that name the tensor,
// a record of which keys were used (a strict load, like the reference's load_state_dict), and
// the storage dtype of the emitted initializers.

import { float32ArrayToHalf } from './half.ts';
import type { GraphBuilder } from './onnx/graph-builder.ts';

export interface StateDictSource {
  /** Where the tensors come from (a file path), for error messages. */
  readonly label: string;
  keys(): string[];
  shape(key: string): number[];
  float32(key: string): Float32Array;
}

/**
 * fp32: initializers in float32.
 * fp16: initializers stored in float16 and cast to float32 in the graph (half the download,
 * fp32 arithmetic, so it runs on GPUs without shader-f16).
 */
export type WeightDType = 'fp32' | 'fp16';

export class WeightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightError';
  }
}

export class Weights {
  private readonly used = new Set<string>();

  constructor(readonly src: StateDictSource, readonly g: GraphBuilder, readonly dtype: WeightDType = 'fp32') {}

  has(key: string): boolean {
    return this.src.keys().includes(key);
  }

  shape(key: string): number[] {
    if (!this.has(key)) throw new WeightError(`${this.src.label}: missing tensor ${key}`);
    return this.src.shape(key);
  }

  /** Read a tensor, checking its shape (-1 in `expect` matches any size). */
  raw(key: string, expect?: number[]): Float32Array {
    const shape = this.shape(key);
    if (expect) {
      const ok = shape.length === expect.length && shape.every((s, i) => expect[i] === -1 || expect[i] === s);
      if (!ok) throw new WeightError(`${this.src.label}: tensor ${key} has shape [${shape}], expected [${expect}]`);
    }
    this.used.add(key);
    return this.src.float32(key);
  }

  /** Emit float32 values as a weight initializer (fp16 storage + Cast when dtype is fp16). */
  param(name: string, dims: number[], values: Float32Array): string {
    const n = dims.reduce((a, b) => a * b, 1);
    if (values.length !== n) throw new WeightError(`param ${name}: ${values.length} values for dims [${dims}]`);
    if (this.dtype === 'fp16') {
      const h = float32ArrayToHalf(values);
      const stored = this.g.initializer(`${name}.f16`, { dtype: 'float16', dims, bytes: new Uint8Array(h.buffer) });
      return this.g.op('Cast', [stored], { to: 1 }, { name: `${name}.cast` });
    }
    return this.g.initializer(name, { dtype: 'float32', dims, bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
  }

  /** A tensor of the state dict emitted unchanged. */
  tensor(key: string, expect?: number[]): string {
    const v = this.raw(key, expect);
    return this.param(key, this.shape(key), v);
  }

  /** A Linear weight [out, in] emitted transposed as [in, out] for MatMul. */
  linearWeightT(key: string, inDim: number, outDim: number): string {
    const w = this.raw(key, [outDim, inDim]);
    const t = new Float32Array(inDim * outDim);
    for (let o = 0; o < outDim; o++) for (let i = 0; i < inDim; i++) t[i * outDim + o] = w[o * inDim + i];
    return this.param(`${key}.T`, [inDim, outDim], t);
  }

  markUsed(key: string): void {
    this.used.add(key);
  }

  unusedKeys(): string[] {
    return this.src.keys().filter((k) => !this.used.has(k));
  }

  /** Strict load: every tensor of the checkpoint must have been consumed. */
  assertAllUsed(ignore: (key: string) => boolean = () => false): void {
    const left = this.unusedKeys().filter((k) => !ignore(k));
    if (left.length) {
      throw new WeightError(`${this.src.label}: ${left.length} tensor(s) not used by the graph (wrong class or config?): ${left.slice(0, 10).join(', ')}${left.length > 10 ? ', …' : ''}`);
    }
  }
}
