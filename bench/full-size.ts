// Full-size check: every graph of the released TRELLIS-image-large layout (random fp16 weights with
// the real shapes, converted by the project's converter) created and run once at real shapes in
// Node on the WASM EP, each in a process of its own (bench/full-size-graph.ts), so that the wasm
// heap and RSS figures are per graph. Prints, per graph: disk size, nodes, session creation,
// peak wasm heap, peak RSS, forward time and the largest tensor of the graph at that input
// (src/convert/onnx/tensor-shapes.ts), then the summary line
//   full-size: <k> of <n> graphs ran; peak wasm heap <x> GiB; largest tensor <y> MiB
// and reports failure (non-zero exit from bench/run.ts) when any graph fails or crosses a limit.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FullSizeCase, GraphRow } from './full-size-graph.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
/** Browser limits the graphs must fit: one WebGPU binding (most desktop GPUs) and the wasm32 heap. */
export const TENSOR_LIMIT_BYTES = GIB;
export const WASM_HEAP_LIMIT_BYTES = 4 * GIB;

export const FULL_SIZE_CASES: FullSizeCase[] = [
  { case: 'dinov2' },
  { case: 'ss_flow' },
  { case: 'ss_decoder' },
  { case: 'slat_flow', voxels: 4_000 },
  { case: 'slat_flow', voxels: 16_000 },
  { case: 'slat_flow', voxels: 30_000 },
  { case: 'slat_decoder_mesh', voxels: 16_000 },
  { case: 'slat_decoder_gs', voxels: 16_000 },
];

/** Expected graph rows per case (the mesh decoder runs head, stats and tail). */
const rowsOf = (c: FullSizeCase) => (c.case === 'slat_decoder_mesh' ? 3 : 1);

function runCase(modelDir: string, c: FullSizeCase, log?: (l: string) => void): Promise<GraphRow[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'full-size-graph.ts'), modelDir, JSON.stringify(c)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code, signal) => {
      const rows = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as GraphRow);
      // The whole row as soon as it is known: a long run stopped part-way still reports what it measured.
      for (const r of rows) log?.(`  ${r.label}: ${r.error ? `FAILED ${r.error}` : `create ${r.createSeconds?.toFixed(1)} s, forward ${r.forwardSeconds?.toFixed(1)} s`}, heap ${(r.heapBytes / GIB).toFixed(2)} GiB, RSS ${(r.rssBytes / GIB).toFixed(2)} GiB, largest ${((r.largest?.bytes ?? 0) / MIB).toFixed(0)} MiB ${r.largest?.name ?? ''}`);
      if (rows.length < rowsOf(c) || code !== 0) {
        const why = signal ? `killed by ${signal}` : `exit ${code}`;
        const last = err.trim().split('\n').filter((l) => !/npm warn/.test(l)).slice(-3).join(' | ').slice(0, 300);
        rows.push({ label: `${c.case}${c.voxels ? ` @${c.voxels}` : ''}`, note: '', diskBytes: 0, heapBytes: 0, rssBytes: 0, error: `process ${why}${last ? `: ${last}` : ''}` });
      }
      resolve(rows);
    });
  });
}

export interface FullSizeResult {
  rows: GraphRow[];
  expected: number;
  ok: boolean;
  summary: string;
}

export async function benchFullSize(modelDir: string, opts: { cases?: FullSizeCase[]; log?: (l: string) => void } = {}): Promise<FullSizeResult> {
  const cases = opts.cases ?? FULL_SIZE_CASES;
  const rows: GraphRow[] = [];
  for (const c of cases) {
    opts.log?.(`full-size ${c.case}${c.voxels ? ` at ${c.voxels} voxels` : ''} ...`);
    rows.push(...(await runCase(modelDir, c, opts.log)));
  }
  const expected = cases.reduce((s, c) => s + rowsOf(c), 0);
  const ran = rows.filter((r) => !r.error && r.forwardSeconds !== undefined).length;
  const heap = Math.max(0, ...rows.map((r) => r.heapBytes));
  const largest = Math.max(0, ...rows.map((r) => r.largest?.bytes ?? 0));
  const ok = ran === expected && heap < WASM_HEAP_LIMIT_BYTES && largest <= TENSOR_LIMIT_BYTES;
  const summary = `full-size: ${ran} of ${expected} graphs ran; peak wasm heap ${(heap / GIB).toFixed(2)} GiB; largest tensor ${(largest / MIB).toFixed(0)} MiB`;
  return { rows, expected, ok, summary };
}

export function formatFullSize(r: FullSizeResult): string {
  const head = ['graph', 'input', 'disk MB', 'nodes', 'create s', 'heap GiB', 'RSS GiB', 'forward s', 'largest tensor'];
  const lines = r.rows.map((x) => [
    x.label,
    x.note,
    x.diskBytes ? (x.diskBytes / 1e6).toFixed(0) : '',
    x.nodes?.toString() ?? '',
    x.createSeconds?.toFixed(1) ?? '',
    x.heapBytes ? (x.heapBytes / GIB).toFixed(2) : '',
    x.rssBytes ? (x.rssBytes / GIB).toFixed(2) : '',
    x.error ? `FAILED: ${x.error}` : (x.forwardSeconds?.toFixed(1) ?? ''),
    x.largest ? `${(x.largest.bytes / MIB).toFixed(0)} MiB ${x.largest.kind} [${x.largest.dims.join(',')}] ${x.largest.name}` : '',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (i === lines[0].length - 1 || i === 7 ? 0 : l[i].length))));
  const fmt = (cells: string[]) => cells.map((c, i) => (i >= 7 ? c : i <= 1 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [fmt(head), ...lines.map(fmt), r.summary].join('\n');
}

/**
 * Largest tensor of every full-size graph at the bench's inputs, from the graphs' shapes alone
 * (no session, no forward: seconds instead of an hour). The mesh decoder's stats/tail get the
 * first chunk the engine would build from a head output of the right shape.
 */
export async function fullSizeShapes(modelDir: string, cases: FullSizeCase[] = FULL_SIZE_CASES): Promise<{ label: string; note: string; largest: { name: string; dims: number[]; bytes: number; kind: string } }[]> {
  const { readFileSync } = await import('node:fs');
  const { graphShapes } = await import('../src/convert/onnx/tensor-shapes.ts');
  const { fullSizeFeeds } = await import('./full-size-feeds.ts');
  const manifest = JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8'));
  const out = [];
  for (const c of cases) {
    const comp = manifest.components[c.case];
    for (const step of fullSizeFeeds(manifest, c)) {
      const feeds = await step.feeds.call(step);
      if (!feeds) continue;
      const file = comp.graphs?.[step.graph]?.file ?? comp.files.find((f: { role: string }) => f.role === 'graph').path;
      const shapes = graphShapes(new Uint8Array(readFileSync(path.join(modelDir, file))), Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, f.dims])));
      out.push({ label: step.label, note: step.note, largest: shapes.largest });
      if (step.graph === 'head') {
        // A head output of the real shape (values do not matter for shapes) feeds the chunk planner.
        const c1 = Number(comp.config.model_channels) / 4;
        const n = feeds.feats.dims[0] * 8;
        step.done?.({ h_sub1: { dims: [n, c1], data: new Float32Array(n * c1) }, a_sub1: { dims: [n, c1], data: new Float32Array(n * c1) } });
      }
    }
  }
  return out;
}
