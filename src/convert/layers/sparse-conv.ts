// Submanifold sparse convolutions as dense ONNX (networks.md §2.2, spconv 2.x semantics).
// Weights: `${prefix}.weight [out,3,3,3,in]` (KRSC), `${prefix}.bias [out]`; the filter index
// k = 9·r0 + 3·r1 + r2 pairs with the neighbour table column k (src/engine/sparse/neighbours.ts).
// Index inputs are int32 [N,27] with the missing value N: the features get one zero row
// appended so that Gather reads zeros there.

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';

const K3 = 27;
const CENTRE = 13;

export type SubmConvMode =
  /** Gather [N,27,Cin] then one MatMul (fewest nodes; only for small N·Cin: 27× the input). */
  | 'gather-all'
  /**
   * Σ_k over the 27 taps, centre without Gather: peak tensor [N,max(Cin,Cout)]. The narrower
   * side is gathered: Gather(x, nbr[:,k]) @ W_k when Cin ≤ Cout, Gather(x @ W_k, nbr[:,k]) when
   * Cin > Cout (the released SLat flow's first out block takes 2048 channels to 128).
   */
  | 'accumulate';

/** Appends a zero row: [N,C] → [N+1,C]. */
export function padZeroRow(g: GraphBuilder, x: string, channels: number): string {
  return g.op('Concat', [x, g.constant('float32', [1, channels], new Float32Array(channels), 'zero_row')], { axis: 0 });
}

/** The KRSC weight as MatMul operand [27·in, out]: row k·in + i, column o. */
function kernelMatrix(w: Weights, key: string, cin: number, cout: number): Float32Array {
  const raw = w.raw(key, [cout, 3, 3, 3, cin]);
  const kin = K3 * cin;
  const t = new Float32Array(kin * cout);
  for (let o = 0; o < cout; o++) for (let r = 0; r < kin; r++) t[r * cout + o] = raw[o * kin + r];
  return t;
}

/**
 * Σ_k Gather(xPadded, nbr[:,k]) @ W_k + bias for an index table whose rows need not be the rows
 * of x (x [M,Cin] with M ≥ rows, e.g. a halo around a chunk; nbr entries index x, pad = M).
 */
export function submConv3dGathered(g: GraphBuilder, w: Weights, x: string, nbr: string, prefix: string, cin: number, cout: number): string {
  return g.scope(prefix, () => {
    const wt = kernelMatrix(w, `${prefix}.weight`, cin, cout);
    const bias = w.tensor(`${prefix}.bias`, [cout]);
    const fp = padZeroRow(g, x, cin);
    let acc = '';
    for (let k = 0; k < K3; k++) {
      const Wk = w.param(`${prefix}.weight.k${k}`, [cin, cout], wt.subarray(k * cin * cout, (k + 1) * cin * cout));
      const term = g.op('MatMul', [g.op('Gather', [fp, indexColumn(g, nbr, k)], { axis: 0 }), Wk]);
      acc = acc ? g.op('Add', [acc, term]) : term;
    }
    return g.op('Add', [acc, bias]);
  });
}

/**
 * The from-parents conv with a local parent table: xParent [Q,Cin] holds only the parents a
 * chunk touches and parentNbr [H,27] indexes them directly (pad = Q). Products are taken on the
 * Q parents, then gathered to the H child rows.
 */
export function submConv3dFromParentTable(g: GraphBuilder, w: Weights, xParent: string, parentNbr: string, prefix: string, cin: number, cout: number): string {
  return g.scope(prefix, () => {
    const wt = kernelMatrix(w, `${prefix}.weight`, cin, cout);
    const bias = w.tensor(`${prefix}.bias`, [cout]);
    const fp = padZeroRow(g, xParent, cin);
    let acc = '';
    for (let k = 0; k < K3; k++) {
      const Wk = w.param(`${prefix}.weight.k${k}`, [cin, cout], wt.subarray(k * cin * cout, (k + 1) * cin * cout));
      const term = g.op('Gather', [g.op('MatMul', [fp, Wk]), indexColumn(g, parentNbr, k)], { axis: 0 });
      acc = acc ? g.op('Add', [acc, term]) : term;
    }
    return g.op('Add', [acc, bias]);
  });
}

/** Column k of an int index table [R,27] as [R]. */
export function indexColumn(g: GraphBuilder, nbr: string, k: number): string {
  return g.op('Gather', [nbr, g.constant('int64', [], [k], 'k')], { axis: 1 });
}

/**
 * SubMConv3d(kernel 3): x [N,Cin], nbr [N,27] int32 → [N,Cout].
 * 'gather-all' builds [N,27,Cin] (N·27·Cin·4 bytes: 6.6 GB for N=30000, Cin=2048), so
 * 'accumulate' is the default; 'gather-all' is for graphs whose N is known to stay small.
 */
export function submConv3d(
  g: GraphBuilder,
  w: Weights,
  x: string,
  nbr: string,
  prefix: string,
  cin: number,
  cout: number,
  mode: SubmConvMode = 'accumulate',
): string {
  return g.scope(prefix, () => {
    const wt = kernelMatrix(w, `${prefix}.weight`, cin, cout);
    const bias = w.tensor(`${prefix}.bias`, [cout]);
    const fp = padZeroRow(g, x, cin);
    if (mode === 'gather-all') {
      const W = w.param(`${prefix}.weight.KRSC`, [K3 * cin, cout], wt);
      const gathered = g.op('Gather', [fp, nbr], { axis: 0 }); // [N,27,Cin]
      const flat = g.op('Reshape', [gathered, g.i64([-1, K3 * cin])]);
      return g.op('Add', [g.op('MatMul', [flat, W]), bias]);
    }
    let acc = g.op('MatMul', [x, w.param(`${prefix}.weight.k${CENTRE}`, [cin, cout], wt.subarray(CENTRE * cin * cout, (CENTRE + 1) * cin * cout))]);
    const productsFirst = cin > cout;
    for (let k = 0; k < K3; k++) {
      if (k === CENTRE) continue;
      const Wk = w.param(`${prefix}.weight.k${k}`, [cin, cout], wt.subarray(k * cin * cout, (k + 1) * cin * cout));
      const col = indexColumn(g, nbr, k);
      // The zero pad row stays zero through the product (no bias yet), so either order reads zeros for missing neighbours.
      const term = productsFirst
        ? g.op('Gather', [g.op('MatMul', [fp, Wk]), col], { axis: 0 })
        : g.op('MatMul', [g.op('Gather', [fp, col], { axis: 0 }), Wk]);
      acc = g.op('Add', [acc, term]);
    }
    return g.op('Add', [acc, bias]);
  });
}

/**
 * SubMConv3d(kernel 3) on a freshly subdivided tensor whose children all copy their parent's
 * features: the neighbour at child offset k is a copy of parent row nbrChild[:,k] div 8, so the
 * product is taken at the parent level first and then gathered (8x fewer MACs, and the [8P,Cin]
 * subdivided input is never built). xParent [P,Cin], nbrChild [8P,27] int32 (missing 8P, which
 * div 8 gives the parent pad row P) → [8P,Cout].
 */
export function submConv3dFromParents(
  g: GraphBuilder,
  w: Weights,
  xParent: string,
  nbrChild: string,
  prefix: string,
  cin: number,
  cout: number,
): string {
  return g.scope(prefix, () => {
    const wt = kernelMatrix(w, `${prefix}.weight`, cin, cout);
    const bias = w.tensor(`${prefix}.bias`, [cout]);
    const fp = padZeroRow(g, xParent, cin);
    const eight = g.constant('int32', [], [8], 'eight');
    let acc = '';
    for (let k = 0; k < K3; k++) {
      const Wk = w.param(`${prefix}.weight.k${k}`, [cin, cout], wt.subarray(k * cin * cout, (k + 1) * cin * cout));
      const yk = g.op('MatMul', [fp, Wk]); // [P+1,Cout]; the zero row stays zero (no bias yet)
      const pk = g.op('Div', [indexColumn(g, nbrChild, k), eight]);
      const term = g.op('Gather', [yk, pk], { axis: 0 });
      acc = acc ? g.op('Add', [acc, term]) : term;
    }
    return g.op('Add', [acc, bias]);
  });
}

/**
 * spconv's kernel-size-1 SubMConv shortcut (mesh decoder skip_connection, in≠out): the
 * [out,1,1,1,in] buffer is reinterpreted row-major as [in,out], NOT transposed:
 * out = x @ weight.view(in,out) + bias. This is what the reference computes with the released
 * weights, so it is reproduced as is.
 */
export function submConv1x1Quirk(g: GraphBuilder, w: Weights, x: string, prefix: string, cin: number, cout: number): string {
  return g.scope(prefix, () => {
    const raw = w.raw(`${prefix}.weight`, [cout, 1, 1, 1, cin]);
    const W = w.param(`${prefix}.weight.view_in_out`, [cin, cout], raw);
    return g.op('Add', [g.op('MatMul', [x, W]), w.tensor(`${prefix}.bias`, [cout])]);
  });
}
