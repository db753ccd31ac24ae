// trellis-web fixtures [--out public/models/tiny-random] [--seed N] [--dtype fp32|fp16]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeTinyRandomModels } from '../convert/fixtures/tiny-models.ts';
import { EXIT_OK, UsageError } from './args.ts';

export const usage = `usage: trellis-web fixtures [--out public/models/tiny-random] [--seed N] [--dtype fp32|fp16]
  Generates tiny random-weight checkpoints in the real TRELLIS layout and converts them with the
  same converter as real weights. They run fast anywhere; what they generate is noise.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: 'public/models/tiny-random' },
      seed: { type: 'string', default: '1' },
      dtype: { type: 'string', default: 'fp32' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return EXIT_OK;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${values.seed}`);
  if (values.dtype !== 'fp32' && values.dtype !== 'fp16') throw new UsageError(`--dtype must be fp32 or fp16`);
  const r = await makeTinyRandomModels(path.resolve(values.out!), { seed, dtype: values.dtype, log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`wrote ${r.outDir}\n`);
  return EXIT_OK;
}
