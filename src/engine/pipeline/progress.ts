// Progress events with elapsed seconds since the generation started, and per-stage timings.
import type { ProgressCallback, ProgressEvent, Stage } from '../protocol.ts';

const now = (): number => globalThis.performance.now();

export class StageClock {
  readonly timings: Record<string, number> = {};
  private readonly origin: number;

  constructor(private readonly onProgress: ProgressCallback | undefined, startedAt?: number) {
    this.origin = startedAt ?? now();
  }

  elapsed(): number {
    return (now() - this.origin) / 1000;
  }

  report(stage: Stage, extra: Omit<ProgressEvent, 'stage' | 'elapsed'> = {}): void {
    this.onProgress?.({ stage, ...extra, elapsed: this.elapsed() });
  }

  /** Runs `fn` as stage `stage`: announces it, records its duration under `key` (default: the stage). */
  async time<T>(stage: Stage, fn: () => Promise<T>, key: string = stage): Promise<T> {
    const t0 = now();
    this.report(stage);
    try {
      return await fn();
    } finally {
      this.timings[key] = (this.timings[key] ?? 0) + (now() - t0) / 1000;
    }
  }
}
