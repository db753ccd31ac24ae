// trellis-web validate '<json>' [--multi]: check a request against fal's schema.
import { parseArgs } from 'node:util';
import { checkInput } from '../api/schema.ts';
import { ENDPOINT_MULTI, ENDPOINT_SINGLE } from '../api/types.ts';
import { EXIT_OK, EXIT_USAGE, printJson, UsageError } from './args.ts';

export const usage = `usage: trellis-web validate '<request json>' [--multi]
  Prints the normalised request (fal defaults filled in) and exits 0, or prints fal's
  422 error body {"detail": [...]} and exits 2. --multi checks fal-ai/trellis/multi.
  Use '-' to read the JSON from stdin.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { multi: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError(`expected exactly one JSON argument, got ${positionals.length}`);
  const text = positionals[0] === '-' ? await readStdin() : positionals[0]!;
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    printJson({ detail: [{ loc: ['body'], msg: `request is not valid JSON: ${(error as Error).message}`, type: 'json_invalid' }] }, process.stderr);
    return EXIT_USAGE;
  }
  const result = checkInput(values.multi ? ENDPOINT_MULTI : ENDPOINT_SINGLE, input);
  if (!result.ok) {
    printJson({ detail: result.issues });
    return EXIT_USAGE;
  }
  printJson(result.value);
  return EXIT_OK;
}
