// Lets the engine read what ORT's wasm module logs (node placement, placement.ts). Emscripten binds
// console.* when ORT's module is evaluated, so this module wraps console before ort-runtime.ts
// imports ORT. Outside a withOrtLog() capture every call passes straight through.
let capture: string[] | null = null;

for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    if (capture && typeof args[0] === 'string' && args[0].includes(':onnxruntime:')) {
      capture.push(args.map(String).join(' '));
      return;
    }
    original(...args);
  };
}

/** Runs `fn` and returns the ORT log lines printed meanwhile (browsers; Node's emscripten writes to the process streams). */
export async function withOrtLog<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const previous = capture;
  capture = lines;
  try {
    return { value: await fn(), lines };
  } finally {
    capture = previous;
  }
}
