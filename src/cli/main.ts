// trellis-web CLI: dispatches to src/cli/<command>.ts, loaded only when that command runs.
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXIT_FAILURE, EXIT_USAGE, UsageError, type CommandModule } from './args.ts';

interface CommandEntry {
  /** Module file next to this one, exporting run(argv) (and optionally `usage`). */
  file: string;
  summary: string;
}

/** To add a command: create src/cli/<name>.ts exporting run(argv) and add one line here. */
export const COMMANDS: Record<string, CommandEntry> = {
  validate: { file: './validate.ts', summary: "check a fal request: validate '<json>' [--multi]" },
  convert: { file: './convert.ts', summary: 'TRELLIS checkpoint -> ONNX model folder: convert --from <dir> --out public/models/<id>' },
  verify: { file: './verify.ts', summary: 'check converted models against the golden vectors' },
  generate: { file: './generate.ts', summary: 'image -> GLB in Node' },
  fixtures: { file: './fixtures.ts', summary: 'write tiny random-weight demo/test models into public/models' },
};

function moduleUrl(entry: CommandEntry): URL {
  return new URL(entry.file, import.meta.url);
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) => {
    const missing = existsSync(fileURLToPath(moduleUrl(entry))) ? '' : ' (not in this checkout yet)';
    return `  ${name.padEnd(width)}  ${entry.summary}${missing}`;
  });
  return `usage: trellis-web <command> [args]\n\ncommands:\n${lines.join('\n')}\n\nRun trellis-web <command> --help for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(`${usage()}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(`trellis-web: unknown command "${name}"\n\n${usage()}\n`);
    return EXIT_USAGE;
  }
  const url = moduleUrl(entry);
  if (!existsSync(fileURLToPath(url))) {
    process.stderr.write(`trellis-web: command "${name}" is not available in this checkout (${fileURLToPath(url)} is missing)\n`);
    return EXIT_USAGE;
  }
  const mod = (await import(url.href)) as CommandModule & { usage?: string };
  try {
    return await mod.run(rest);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`trellis-web ${name}: ${(error as Error).message}\n${mod.usage ? `\n${mod.usage}\n` : ''}`);
      return EXIT_USAGE;
    }
    process.stderr.write(`trellis-web ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILURE;
  }
}

// Run when executed directly (bin/trellis-web.js, `tsx src/cli/main.ts`), not when imported.
const script = process.argv[1];
const invokedDirectly = script !== undefined && existsSync(script) && pathToFileURL(realpathSync(script)).href === import.meta.url;
if (invokedDirectly || process.env.TRELLIS_WEB_CLI === '1') {
  process.exitCode = await main(process.argv.slice(2));
}
