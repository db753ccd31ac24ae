// Converter benchmarks: `npx tsx bench/convert.ts [--full-size]`. Tiny models in fp32 and fp16
// side by side, half-float conversion throughput, and (with --full-size) a structural conversion
// of random checkpoints with the released TRELLIS-image-large shapes: sizes, time, peak RSS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTinyRandomModels } from '../src/convert/fixtures/tiny-models.ts';
import { convertFullSizeRandom } from '../src/convert/fixtures/full-size.ts';
import { float32ArrayToHalf, halfArrayToFloat32 } from '../src/convert/half.ts';

export interface ConvertBenchRow {
  name: string;
  seconds: number;
  note?: string;
}

export async function benchConvert(opts: { fullSize?: boolean; keepFullSizeIn?: string; log?: (l: string) => void } = {}): Promise<{ rows: ConvertBenchRow[]; fullSize?: string[]; fullSizeDir?: string }> {
  const rows: ConvertBenchRow[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'trellis-bench-convert-'));
  try {
    const n = 50_000_000;
    const src = new Float32Array(n).map((_, i) => Math.sin(i) * 3);
    let t = performance.now();
    const h = float32ArrayToHalf(src);
    rows.push({ name: 'fp32 -> fp16 (50 M values)', seconds: (performance.now() - t) / 1000 });
    t = performance.now();
    halfArrayToFloat32(h);
    rows.push({ name: 'fp16 -> fp32 (50 M values)', seconds: (performance.now() - t) / 1000 });
    for (const dtype of ['fp32', 'fp16'] as const) {
      t = performance.now();
      const r = await makeTinyRandomModels(path.join(work, `tiny-${dtype}`), { dtype });
      const bytes = r.reports.reduce((a, x) => a + x.graphBytes + x.dataBytes, 0);
      rows.push({ name: `tiny models, generate + convert (${dtype})`, seconds: (performance.now() - t) / 1000, note: `${(bytes / 1e6).toFixed(1)} MB` });
    }
    let fullSize: string[] | undefined;
    let fullSizeDir: string | undefined;
    if (opts.fullSize) {
      opts.log?.('full-size structural conversion (writes ~3.4 GB of random checkpoints) ...');
      const r = await convertFullSizeRandom(path.join(opts.keepFullSizeIn ?? work, 'full'), { log: opts.log });
      if (opts.keepFullSizeIn) fullSizeDir = r.result.outDir;
      fullSize = [
        `random checkpoints with the released shapes: ${(r.checkpointBytes / 1e9).toFixed(2)} GB (fp16); converted in ${r.seconds.toFixed(0)} s, peak RSS ${(r.peakRssBytes / 1e9).toFixed(2)} GB`,
        ...r.result.reports.map((x) => `  ${x.component.padEnd(18)} ${(x.parameters / 1e6).toFixed(1).padStart(7)} M params  graph ${(x.graphBytes / 1e6).toFixed(1).padStart(6)} MB  data ${(x.dataBytes / 1e6).toFixed(1).padStart(7)} MB  ${String(x.nodes).padStart(5)} nodes  ${x.seconds.toFixed(0).padStart(4)} s`),
      ];
      rows.push({ name: 'full-size structural conversion (fp16)', seconds: r.seconds });
    }
    return { rows, fullSize, fullSizeDir };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatConvertBench(r: { rows: ConvertBenchRow[]; fullSize?: string[] }): string {
  const w = Math.max(...r.rows.map((x) => x.name.length));
  const lines = r.rows.map((x) => `${x.name.padEnd(w)}  ${x.seconds.toFixed(2).padStart(8)} s${x.note ? `  ${x.note}` : ''}`);
  if (r.fullSize) lines.push('', ...r.fullSize);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatConvertBench(await benchConvert({ fullSize: process.argv.includes('--full-size'), log: (l) => console.error(l) })));
}
