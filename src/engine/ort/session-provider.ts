// Creates sessions lazily, once per graph of a component, and releases them by policy:
//  - 'keep': sessions live until dispose (fast repeated generations; the peak is the sum of
//    every component's weights plus the largest activation);
//  - 'per-stage': a component's sessions are released as soon as its stage of the generation is
//    done, so the peak is the largest single stage (weights + activations; pipeline/memory-plan.ts).
import { EngineError } from '../errors.ts';
import type { ComponentName } from '../../models/manifest.ts';
import { MAIN_GRAPH, type ComponentIO, type ComponentProvider, type ComponentRunner } from '../pipeline/types.ts';
import { OrtComponentRunner, type RunnerOptions, type SessionFiles } from './session-runner.ts';
import type { Placement } from './placement.ts';

export type ReleasePolicy = 'keep' | 'per-stage';

export interface ComponentDescriptor {
  config: Record<string, unknown>;
  /** I/O per graph name ('main' for single-graph components). */
  graphs: Record<string, ComponentIO>;
}

export interface SessionEvent {
  component: ComponentName;
  graph: string;
  kind: 'created' | 'released';
  seconds?: number;
  placement?: Placement | null;
}

export interface SessionProviderOptions extends RunnerOptions {
  policy: ReleasePolicy;
  onEvent?: (event: SessionEvent) => void;
}

const key = (name: ComponentName, graph: string) => `${name}/${graph}`;

export class SessionProvider implements ComponentProvider {
  private readonly live = new Map<string, { name: ComponentName; graph: string; runner: Promise<OrtComponentRunner> }>();

  constructor(
    private readonly components: Partial<Record<ComponentName, ComponentDescriptor>>,
    private readonly loadFiles: (name: ComponentName, graph: string) => Promise<SessionFiles>,
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

  graphs(name: ComponentName): string[] {
    return Object.keys(this.descriptor(name).graphs);
  }

  io(name: ComponentName, graph = MAIN_GRAPH): ComponentIO {
    const io = this.descriptor(name).graphs[graph];
    if (!io) throw new EngineError('MODEL_CORRUPT', `${name} has no graph "${graph}" (graphs: ${this.graphs(name).join(', ')})`);
    return io;
  }

  get(name: ComponentName, graph = MAIN_GRAPH): Promise<ComponentRunner> {
    const k = key(name, graph);
    let entry = this.live.get(k);
    if (!entry) {
      const io = this.io(name, graph);
      const runner = (async () => {
        const t0 = globalThis.performance.now();
        const files = await this.loadFiles(name, graph);
        const r = await OrtComponentRunner.create(name, io, files, this.opts);
        this.opts.onEvent?.({ component: name, graph, kind: 'created', seconds: (globalThis.performance.now() - t0) / 1000, placement: r.placement });
        return r;
      })();
      entry = { name, graph, runner };
      this.live.set(k, entry);
      runner.catch(() => this.live.delete(k));
    }
    return entry.runner;
  }

  /** Live sessions as "component/graph" (tests and the memory report). */
  liveSessions(): string[] {
    return [...this.live.keys()];
  }

  async done(name: ComponentName): Promise<void> {
    if (this.opts.policy === 'per-stage') await this.release(name);
  }

  /** Releases every live session of `name`. */
  async release(name: ComponentName): Promise<void> {
    for (const [k, entry] of [...this.live.entries()]) {
      if (entry.name !== name) continue;
      this.live.delete(k);
      const runner = await entry.runner.catch(() => null);
      if (runner) {
        await runner.release();
        this.opts.onEvent?.({ component: name, graph: entry.graph, kind: 'released' });
      }
    }
  }

  async releaseAll(): Promise<void> {
    const names = new Set([...this.live.values()].map((e) => e.name));
    for (const name of names) await this.release(name).catch(() => undefined);
  }
}
