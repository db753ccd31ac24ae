// Creates sessions lazily, once per component, and releases them by policy:
//  - 'keep': sessions live until dispose (fast repeated generations; the peak is the sum of
//    every component's weights plus the largest activation);
//  - 'per-stage': a session is released as soon as its stage of the generation is done, so the
//    peak is the largest single stage (weights + activations; see pipeline/memory-plan.ts).
import { EngineError } from '../errors.ts';
import type { ComponentName } from '../../models/manifest.ts';
import type { ComponentIO, ComponentProvider, ComponentRunner } from '../pipeline/types.ts';
import { OrtComponentRunner, type RunnerOptions, type SessionFiles } from './session-runner.ts';
import type { Placement } from './placement.ts';

export type ReleasePolicy = 'keep' | 'per-stage';

export interface ComponentDescriptor {
  config: Record<string, unknown>;
  io: ComponentIO;
}

export interface SessionEvent {
  component: ComponentName;
  kind: 'created' | 'released';
  seconds?: number;
  placement?: Placement | null;
}

export interface SessionProviderOptions extends RunnerOptions {
  policy: ReleasePolicy;
  onEvent?: (event: SessionEvent) => void;
}

export class SessionProvider implements ComponentProvider {
  private readonly live = new Map<ComponentName, Promise<OrtComponentRunner>>();

  constructor(
    private readonly components: Partial<Record<ComponentName, ComponentDescriptor>>,
    private readonly loadFiles: (name: ComponentName) => Promise<SessionFiles>,
    private readonly opts: SessionProviderOptions,
  ) {}

  private descriptor(name: ComponentName): ComponentDescriptor {
    const d = this.components[name];
    if (!d) throw new EngineError('MODEL_MISSING', `the model set has no ${name} component`);
    return d;
  }

  has(name: ComponentName): boolean {
    return this.components[name] !== undefined;
  }

  config(name: ComponentName): Record<string, unknown> {
    return this.descriptor(name).config;
  }

  io(name: ComponentName): ComponentIO {
    return this.descriptor(name).io;
  }

  get(name: ComponentName): Promise<ComponentRunner> {
    let pending = this.live.get(name);
    if (!pending) {
      const io = this.io(name);
      pending = (async () => {
        const t0 = globalThis.performance.now();
        const files = await this.loadFiles(name);
        const runner = await OrtComponentRunner.create(name, io, files, this.opts);
        this.opts.onEvent?.({ component: name, kind: 'created', seconds: (globalThis.performance.now() - t0) / 1000, placement: runner.placement });
        return runner;
      })();
      this.live.set(name, pending);
      pending.catch(() => this.live.delete(name));
    }
    return pending;
  }

  /** Live session names (for tests and the memory report). */
  liveComponents(): ComponentName[] {
    return [...this.live.keys()];
  }

  async done(name: ComponentName): Promise<void> {
    if (this.opts.policy === 'per-stage') await this.release(name);
  }

  async release(name: ComponentName): Promise<void> {
    const pending = this.live.get(name);
    if (!pending) return;
    this.live.delete(name);
    const runner = await pending.catch(() => null);
    if (runner) {
      await runner.release();
      this.opts.onEvent?.({ component: name, kind: 'released' });
    }
  }

  async releaseAll(): Promise<void> {
    for (const name of [...this.live.keys()]) await this.release(name).catch(() => undefined);
  }
}
