// Windowed ("swin") multi-head self-attention of the SLat decoders (networks.md §1.4, §2.8) as a
// padded, batched attention over groups of windows. The window tables come from
// src/engine/sparse/swin-windows.ts (buildSwinWindows) and are graph inputs:
//   swin{shift}_index_{g} [windows_g, length_g] int32   rows of each window, pad = N
//   swin{shift}_mask_{g}  [windows_g, length_g] float32 additive key bias (0 / MASK_NEG)
//   swin{shift}_inverse   [N] int32                     row → position in the concatenated groups
// Peak tensor per group: the scores [windows_g, H, length_g, length_g] in float32.

import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Weights } from '../weights.ts';
import { linear } from './basic.ts';
import { padZeroRow } from './sparse-conv.ts';

export interface SwinTableInputs {
  shift: number;
  groups: { index: string; mask: string }[];
  inverse: string;
}

export function swinInputName(shift: number, what: 'index' | 'mask' | 'inverse', group?: number): string {
  return what === 'inverse' ? `swin${shift}_inverse` : `swin${shift}_${what}_${group}`;
}

/** Declares the graph inputs of one swin partition. */
export function declareSwinInputs(g: GraphBuilder, shift: number, groupCount: number): SwinTableInputs {
  const groups = Array.from({ length: groupCount }, (_, i) => ({
    index: g.input(swinInputName(shift, 'index', i), 'int32', [`swin${shift}_windows_${i}`, `swin${shift}_length_${i}`]),
    mask: g.input(swinInputName(shift, 'mask', i), 'float32', [`swin${shift}_windows_${i}`, `swin${shift}_length_${i}`]),
  }));
  return { shift, groups, inverse: g.input(swinInputName(shift, 'inverse'), 'int32', ['N']) };
}

/** x [N,C] → windowed self-attention output [N,C] (to_qkv … to_out under `prefix`, e.g. 'blocks.3.attn'). */
export function swinSelfAttention(g: GraphBuilder, w: Weights, x: string, prefix: string, channels: number, heads: number, tables: SwinTableInputs): string {
  const d = channels / heads;
  if (!Number.isInteger(d)) throw new Error(`${prefix}: ${channels} channels do not split into ${heads} heads`);
  const qkv = linear(g, w, x, `${prefix}.to_qkv`, channels, 3 * channels);
  const merged = g.scope(`${prefix}/windows`, () => {
    const padded = padZeroRow(g, qkv, 3 * channels);
    const outs = tables.groups.map((t, gi) =>
      g.scope(`group${gi}`, () => {
        const rows = g.op('Gather', [padded, t.index], { axis: 0 }); // [W,L,3C]
        const split = g.op('Reshape', [rows, g.i64([0, 0, 3, heads, d])]);
        const qkvT = g.op('Transpose', [split], { perm: [2, 0, 3, 1, 4] }); // [3,W,H,L,D]
        const pick = (s: number) => g.op('Gather', [qkvT, g.constant('int64', [], [s], 'qkv_sel')], { axis: 0 });
        const q = g.op('Mul', [pick(0), g.scalar(1 / Math.sqrt(d))]);
        const kT = g.op('Transpose', [pick(1)], { perm: [0, 1, 3, 2] });
        const bias = g.op('Unsqueeze', [t.mask, g.i64([1, 2])]); // [W,1,1,L]
        const scores = g.op('Add', [g.op('MatMul', [q, kT]), bias]);
        const attn = g.op('Softmax', [scores], { axis: -1 });
        const o = g.op('MatMul', [attn, pick(2)]); // [W,H,L,D]
        const oT = g.op('Transpose', [o], { perm: [0, 2, 1, 3] });
        return g.op('Reshape', [oT, g.i64([-1, channels])]);
      }),
    );
    const all = outs.length === 1 ? outs[0] : g.op('Concat', outs, { axis: 0 });
    return g.op('Gather', [all, tables.inverse], { axis: 0 });
  });
  return linear(g, w, merged, `${prefix}.to_out`, channels, channels);
}
