// trellis-web verify <golden-dir> [--fp16] [--only case,...]: checks the project against a golden
// set of the reference layout (../shared/golden/README.md): RNG streams, sampler traces,
// preprocessing, every network case (converted by this project's converter, run with ORT,
// index maps from the engine's code), the end-to-end pipelines and the mesh extraction.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { VerifyRow } from '../verify/types.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './args.ts';

export const usage = `usage: trellis-web verify <golden-dir> [--fp16] [--only <case,...>] [--json]
  Prints, per golden tensor, max|err|, rms of the reference, the tolerance and PASS/FAIL;
  exits 1 when any check fails. --fp16 also converts the network cases with fp16 weights and
  reports their drift (informational: not compared against the fp32 tolerance).`;

interface Section {
  name: string;
  /** Case folders this section verifies. */
  matches: (caseName: string, dir: string) => boolean;
  run: (goldenDir: string) => Promise<VerifyRow[]>;
}

const isNetworkCase = (c: string, dir: string) => existsSync(path.join(dir, c, 'model.safetensors')) && existsSync(path.join(dir, c, 'config.json'));

const SECTIONS: Section[] = [
  { name: 'torch_rng', matches: (c) => c === 'torch_rng', run: async (d) => (await import('../verify/rng-sampler.ts')).verifyTorchRng(d) },
  { name: 'sampler', matches: (c) => c === 'sampler', run: async (d) => (await import('../verify/rng-sampler.ts')).verifySampler(d) },
  { name: 'preprocess', matches: (c) => c === 'preprocess', run: async (d) => (await import('../verify/preprocess.ts')).verifyPreprocess(d) },
  { name: 'networks', matches: isNetworkCase, run: async (d) => (await import('../verify/networks.ts')).verifyNetworks(d) },
  { name: 'pipelines', matches: (c) => c.startsWith('pipeline_'), run: async (d) => (await import('../verify/pipeline.ts')).verifyPipeline(d) },
  { name: 'mesh extraction', matches: () => false, run: async (d) => (await import('../verify/mesh.ts')).verifyMesh(d) },
];

function fmt(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  return x.toExponential(2);
}

/** The tolerance column says what is checked: a number, "must be 0" (exact) or "not checked" (informational). */
function tolText(r: VerifyRow): string {
  if (r.check === 'exact') return 'must be 0';
  if (r.check === 'info') return 'not checked';
  return fmt(r.tol);
}

export function formatRows(rows: VerifyRow[]): string {
  const w1 = Math.max(4, ...rows.map((r) => r.case.length));
  const w2 = Math.max(6, ...rows.map((r) => r.tensor.length));
  const head = `${'case'.padEnd(w1)}  ${'tensor'.padEnd(w2)}  ${'max|err|'.padStart(9)}  ${'rms(ref)'.padStart(9)}  ${'tol'.padStart(11)}  result`;
  const lines = rows.map((r) => {
    const rms = r.check === 'exact' ? '' : fmt(r.rmsRef);
    const result = r.check === 'info' ? 'INFO' : r.pass ? 'PASS' : 'FAIL';
    return `${r.case.padEnd(w1)}  ${r.tensor.padEnd(w2)}  ${fmt(r.maxAbs).padStart(9)}  ${rms.padStart(9)}  ${tolText(r).padStart(11)}  ${result}`;
  });
  return [head, ...lines].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { fp16: { type: 'boolean', default: false }, only: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('expected exactly one golden directory');
  const dir = path.resolve(positionals[0]!);
  if (!existsSync(path.join(dir))) throw new UsageError(`${dir}: no such directory`);
  const cases = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'index.json'))).map((d) => d.name);
  if (cases.length === 0) throw new UsageError(`${dir}: no golden cases (folders with index.json)`);
  const only = values.only ? new Set(values.only.split(',')) : null;
  const unknown = cases.filter((c) => !SECTIONS.some((s) => s.matches(c, dir)));
  const rows: VerifyRow[] = [];
  for (const c of unknown) rows.push({ case: c, tensor: 'no verifier for this case', maxAbs: Infinity, rmsRef: 0, tol: 0, pass: false });
  for (const s of SECTIONS) {
    const mine = cases.filter((c) => s.matches(c, dir));
    const wanted = s.name === 'mesh extraction' ? true : mine.length > 0;
    if (!wanted) continue;
    const t0 = Date.now();
    let got: VerifyRow[];
    try {
      got = await s.run(dir);
    } catch (e) {
      got = [{ case: s.name, tensor: `error: ${(e as Error).message}`, maxAbs: Infinity, rmsRef: 0, tol: 0, pass: false }];
    }
    if (only) got = got.filter((r) => only.has(r.case));
    rows.push(...got);
    if (!values.json) process.stderr.write(`${s.name}: ${got.length} checks, ${got.filter((r) => !r.pass).length} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  if (values.fp16) {
    const { verifyNetworks } = await import('../verify/networks.ts');
    const drift = await verifyNetworks(dir, { dtype: 'fp16', tol: 5e-2 });
    for (const r of drift) rows.push({ ...r, case: `${r.case} [fp16]` });
  }
  const failed = rows.filter((r) => !r.pass);
  if (values.json) process.stdout.write(`${JSON.stringify({ rows, failed: failed.length }, null, 2)}\n`);
  else process.stdout.write(`${formatRows(rows)}\n\n${rows.length - failed.length} passed, ${failed.length} failed\n`);
  return failed.length ? EXIT_FAILURE : EXIT_OK;
}
