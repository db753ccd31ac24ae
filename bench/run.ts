// npm run bench [-- --full-size] [--no-webgpu]: every benchmark in one run, variants side by side.
// Speed and memory live here, never in timed test assertions.
import { benchConvert, formatConvertBench } from './convert.ts';
import { benchEngine, formatEngineBench } from './engine.ts';
import { benchGeometry } from './geometry.ts';

const args = process.argv.slice(2);
const log = (l: string) => process.stderr.write(`${l}\n`);

console.log('== converter');
console.log(formatConvertBench(await benchConvert({ fullSize: args.includes('--full-size'), log })));

console.log('\n== engine (per-stage seconds; WASM in Node vs WebGPU in headless Chromium)');
console.log(formatEngineBench(await benchEngine({ webgpu: !args.includes('--no-webgpu'), log })));

console.log('\n== geometry');
const rows = await benchGeometry();
const w = Math.max(...rows.map((r) => r.name.length));
for (const r of rows) console.log(`${r.name.padEnd(w)}  ${r.ms.toFixed(0).padStart(8)} ms${r.note ? `  ${r.note}` : ''}`);
