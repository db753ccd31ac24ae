// Progress listeners belong to the caller: one that throws (or rejects, when it is a remote
// proxy) is logged and ignored, so it can never fail the generation it is watching.
import type { ProgressCallback, ProgressEvent } from './protocol.ts';

export function safeProgress(onProgress: ProgressCallback | undefined): ProgressCallback | undefined {
  if (!onProgress) return undefined;
  let warned = false;
  const warn = (error: unknown) => {
    if (warned) return;
    warned = true; // once per run: a listener that throws on every event would flood the console
    console.warn('progress listener failed (ignored):', error);
  };
  return (event: ProgressEvent) => {
    try {
      const result = onProgress(event) as unknown;
      if (result instanceof Promise) result.catch(warn);
    } catch (error) {
      warn(error);
    }
  };
}
