// Shared shapes for the network graph builders: the I/O description written to the manifest,
// the conversion options, and a strict reader for config args.

import type { Dim, DType } from '../onnx/graph-builder.ts';
import { type AttentionOptions, DEFAULT_ATTENTION } from '../layers/attention.ts';

export interface TensorSpec {
  name: string;
  dtype: DType;
  shape: Dim[];
}

export interface NetworkIO {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export interface ConvertOptions {
  /** Query rows per attention block when S is static (bounds the score tensor; see layers/attention.ts). */
  attnQueryChunk?: number;
  /** Query pieces K when S is dynamic (SLat flow): each ceil(S/K) rows (see layers/attention.ts). */
  attnQuerySlices?: number;
  /** Dynamic S: cut attention along the heads, this many per piece (see layers/attention.ts). */
  attnHeadsPerPiece?: number;
  attnImpl?: AttentionOptions['impl'];
}

export function attentionOptions(o: ConvertOptions = {}): AttentionOptions {
  return {
    queryChunk: o.attnQueryChunk ?? DEFAULT_ATTENTION.queryChunk,
    querySlices: o.attnQuerySlices ?? DEFAULT_ATTENTION.querySlices,
    impl: o.attnImpl ?? DEFAULT_ATTENTION.impl,
    headsPerPiece: o.attnHeadsPerPiece,
  };
}

/** Typed access to a config's args with errors that name the class and field. */
export class ArgReader {
  constructor(readonly className: string, readonly args: Record<string, any>) {}

  private fail(field: string, what: string): never {
    throw new Error(`${this.className} config: args.${field} ${what} (got ${JSON.stringify(this.args[field])})`);
  }

  int(field: string, dflt?: number, min = 1): number {
    const v = this.args[field] ?? dflt;
    if (v === undefined) this.fail(field, 'is required');
    if (!Number.isInteger(v) || v < min) this.fail(field, `must be an integer ≥ ${min}`);
    return v;
  }

  num(field: string, dflt?: number): number {
    const v = this.args[field] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.fail(field, 'must be a positive number');
    return v;
  }

  bool(field: string, dflt?: boolean): boolean {
    const v = this.args[field] ?? dflt;
    if (typeof v !== 'boolean') this.fail(field, 'must be true or false');
    return v;
  }

  /** A field that only supports one value in this port. */
  only<T>(field: string, allowed: T[], dflt: T): T {
    const v = this.args[field] ?? dflt;
    if (!allowed.includes(v)) this.fail(field, `must be one of ${JSON.stringify(allowed)}`);
    return v;
  }

  intList(field: string): number[] {
    const v = this.args[field];
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => Number.isInteger(x) && x > 0)) this.fail(field, 'must be a non-empty list of positive integers');
    return v;
  }
}
