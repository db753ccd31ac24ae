// One full-size graph check in a process of its own (bench/full-size.ts starts one per case), so
// that its wasm heap and RSS high-water marks are its own: create the session with the engine's
// OrtComponentRunner on the WASM EP, run one forward at real shapes, print one JSON line per
// graph on stdout.
//   tsx bench/full-size-graph.ts <model folder> <case json: { case, voxels? }>
// The wasm heap is read from the WebAssembly.Memory ORT creates (bench/wasm-heap.ts, imported
// before ORT).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { peakWasmHeapBytes } from './wasm-heap.ts';
import { graphShapes } from '../src/convert/onnx/tensor-shapes.ts';


export interface FullSizeCase {
  case: 'dinov2' | 'ss_flow' | 'ss_decoder' | 'slat_flow' | 'slat_decoder_mesh' | 'slat_decoder_gs';
  voxels?: number;
}

export interface GraphRow {
  label: string;
  note: string;
  diskBytes: number;
  nodes?: number;
  createSeconds?: number;
  forwardSeconds?: number;
  heapBytes: number;
  rssBytes: number;
  largest?: { name: string; dims: number[]; bytes: number; kind: string };
  error?: string;
}

const rssBytes = () => process.resourceUsage().maxRSS * 1024;

async function main(): Promise<void> {
  const [modelDir, spec] = process.argv.slice(2);
  const c = JSON.parse(spec) as FullSizeCase;
  const { OrtComponentRunner } = await import('../src/engine/ort/session-runner.ts');
  const { configureOrt } = await import('../src/engine/ort/ort-runtime.ts');
  const { fullSizeFeeds } = await import('./full-size-feeds.ts');
  configureOrt({ numThreads: 1 });
  const manifest = JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8'));
  const comp = manifest.components[c.case];
  const graphFile = (graph: string): string => comp.graphs?.[graph]?.file ?? comp.files.find((f: { role: string }) => f.role === 'graph').path;
  const files = (graph: string) => {
    const file = graphFile(graph);
    const ext = comp.files.filter((f: { role: string; path: string }) => f.role === 'external_data' && f.path.startsWith(`${file}.data`)).map((f: { path: string }) => f.path);
    return { file, ext };
  };

  /** Creates, runs and releases one graph; returns its row and outputs. */
  const runOne = async (graph: string, label: string, note: string, feeds: Record<string, { dtype: string; dims: number[]; data: ArrayBufferView }>) => {
    const { file, ext } = files(graph);
    const model = new Uint8Array(readFileSync(path.join(modelDir, file)));
    const diskBytes = model.byteLength + ext.reduce((s: number, p: string) => s + readFileSync(path.join(modelDir, p)).byteLength, 0);
    const row: GraphRow = { label, note, diskBytes, heapBytes: 0, rssBytes: 0 };
    try {
      const shapes = graphShapes(model, Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, f.dims])));
      row.largest = { name: shapes.largest.name, dims: shapes.largest.dims, bytes: shapes.largest.bytes, kind: shapes.largest.kind };
      row.nodes = shapes.values.filter((v) => v.op).length;
      const t0 = performance.now();
      let externalData: { path: string; data: Uint8Array }[] = ext.map((p: string) => ({ path: p, data: new Uint8Array(readFileSync(path.join(modelDir, p))) }));
      const runner = await OrtComponentRunner.create(c.case, null, { graph: model, externalData }, { backend: 'wasm' });
      externalData = [];
      row.createSeconds = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const out = await runner.run(feeds as never);
      row.forwardSeconds = (performance.now() - t1) / 1000;
      await runner.release();
      return { row, out };
    } catch (error) {
      row.error = (error as Error).message.split('\n')[0].slice(0, 300);
      return { row, out: null };
    } finally {
      row.heapBytes = peakWasmHeapBytes();
      row.rssBytes = rssBytes();
    }
  };

  const emit = (row: GraphRow) => process.stdout.write(`${JSON.stringify(row)}\n`);
  const plan = fullSizeFeeds(manifest, c);
  for (const step of plan) {
    const feeds = await step.feeds();
    if (!feeds) continue;
    const { row, out } = await runOne(step.graph, step.label, step.note, feeds);
    emit(row);
    if (out) step.done?.(out);
    if (row.error) break;
  }
}

await main();
