// Shared pieces for CLI subcommands.

/** A subcommand module: src/cli/<name>.ts exports run(argv) returning the exit code. */
export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

/** Exit codes used by every subcommand. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** Bad usage or rejected input. */
export const EXIT_USAGE = 2;

/** Thrown by subcommands for bad usage; main prints the message and the command's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function printJson(value: unknown, stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}
