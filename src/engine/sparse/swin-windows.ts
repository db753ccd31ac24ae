// Window partition of TRELLIS's "swin" sparse attention (networks.md §2.8) as gather tables for a
// padded, batched attention graph.
//
// Reference semantics: c' = xyz + shift (added, no wrap-around), Wa = ceil((max c'_a + 1)/ws) over
// all rows, window key = b·Wx·Wy·Wz + (c'x//ws)·Wy·Wz + (c'y//ws)·Wz + c'z//ws; the tokens of one
// key attend to each other only. The order inside a window and of the windows is irrelevant
// (attention is permutation-equivariant), so windows are sorted by length and split into a fixed
// number of groups, each padded only to its own longest window: the score tensor of a group is
// [windows, heads, L, L] and the padding waste stays small. Pads point at row n (the zero row the
// graph appends) and get an additive key bias of MASK_NEG.

import { checkCoords, SparseCoordsError } from './coords.ts';

/** Additive attention bias of padded key positions (finite: a fully padded dummy window stays NaN-free). */
export const MASK_NEG = -1e9;

export interface SwinGroup {
  /** Number of windows in the group. */
  windows: number;
  /** Padded window length (the longest window of the group). */
  length: number;
  /** [windows, length] rows of the input, pad = n (int32). */
  index: Int32Array;
  /** [windows, length] additive key bias: 0 for real tokens, MASK_NEG for pads. */
  mask: Float32Array;
}

export interface SwinWindows {
  groups: SwinGroup[];
  /** [n] position of each row in the concatenation of the groups' flattened [windows·length] outputs. */
  inverse: Int32Array;
  /** Number of non-empty windows of the partition. */
  windowCount: number;
}

/** Window key of every row (the reference's partition). */
export function swinWindowKeys(coords: Int32Array, n: number, windowSize: number, shift: number): Float64Array {
  checkCoords(coords, n);
  if (!Number.isInteger(windowSize) || windowSize < 1) throw new SparseCoordsError(`swin window size ${windowSize} must be a positive integer`);
  if (!Number.isInteger(shift) || shift < 0) throw new SparseCoordsError(`swin shift ${shift} must be a non-negative integer`);
  const max = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) max[a] = Math.max(max[a], coords[i * 4 + 1 + a] + shift);
  const W = max.map((m) => Math.ceil((m + 1) / windowSize));
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = [0, 1, 2].map((a) => Math.floor((coords[i * 4 + 1 + a] + shift) / windowSize));
    keys[i] = ((coords[i * 4] * W[0] + w[0]) * W[1] + w[1]) * W[2] + w[2];
  }
  return keys;
}

/**
 * Splits windows (sorted by length, longest first) into `groupCount` contiguous groups minimising
 * Σ windows·length² (the attention work including padding). Returns the group start offsets.
 */
function partitionByCost(lengths: number[], groupCount: number): number[] {
  const w = lengths.length;
  const cost = (a: number, b: number) => (b - a) * lengths[a] * lengths[a]; // windows [a,b): longest is a
  const best: number[][] = Array.from({ length: groupCount + 1 }, () => new Array(w + 1).fill(Infinity));
  const cut: number[][] = Array.from({ length: groupCount + 1 }, () => new Array(w + 1).fill(0));
  best[0][0] = 0;
  for (let g = 1; g <= groupCount; g++) {
    for (let b = 1; b <= w; b++) {
      for (let a = g - 1; a < b; a++) {
        const c = best[g - 1][a] + cost(a, b);
        if (c < best[g][b]) {
          best[g][b] = c;
          cut[g][b] = a;
        }
      }
    }
  }
  const starts: number[] = [];
  let b = w;
  for (let g = groupCount; g >= 1; g--) {
    const a = cut[g][b];
    starts.unshift(a);
    b = a;
  }
  return starts;
}

/**
 * Gather tables of the swin partition with `groupCount` padded groups (the graph is built for a
 * fixed group count). With fewer windows than groups, the spare groups hold one dummy window
 * that reads the zero row and is never gathered back.
 */
export function buildSwinWindows(coords: Int32Array, n: number, windowSize: number, shift: number, groupCount = 4): SwinWindows {
  if (!Number.isInteger(groupCount) || groupCount < 1) throw new SparseCoordsError(`swin group count ${groupCount} must be a positive integer`);
  const keys = swinWindowKeys(coords, n, windowSize, shift);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
  const windows: number[][] = [];
  for (let j = 0; j < n; j++) {
    const i = order[j];
    if (j === 0 || keys[i] !== keys[order[j - 1]]) windows.push([]);
    windows[windows.length - 1].push(i);
  }
  windows.sort((a, b) => b.length - a.length);
  const real = Math.min(groupCount, windows.length);
  const starts = windows.length ? partitionByCost(windows.map((x) => x.length), real) : [];

  const groups: SwinGroup[] = [];
  const inverse = new Int32Array(n);
  let base = 0;
  for (let gi = 0; gi < groupCount; gi++) {
    if (gi >= real) {
      groups.push({ windows: 1, length: 1, index: Int32Array.of(n), mask: Float32Array.of(0) });
      continue;
    }
    const members = windows.slice(starts[gi], gi + 1 < real ? starts[gi + 1] : windows.length);
    const length = members[0].length;
    const index = new Int32Array(members.length * length).fill(n);
    const mask = new Float32Array(members.length * length).fill(MASK_NEG);
    members.forEach((rows, w) => {
      rows.forEach((r, j) => {
        index[w * length + j] = r;
        mask[w * length + j] = 0;
        inverse[r] = base + w * length + j;
      });
    });
    base += members.length * length;
    groups.push({ windows: members.length, length, index, mask });
  }
  return { groups, inverse, windowCount: windows.length };
}
