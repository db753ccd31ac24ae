// A ComponentProvider over runners that already exist (verify, tests, benches): nothing is
// created or released by the pipeline; `done` only records the order stages finished in.
import { EngineError } from '../errors.ts';
import type { ComponentName } from '../../models/manifest.ts';
import { MAIN_GRAPH, type ComponentIO, type ComponentProvider, type ComponentRunner } from './types.ts';

export interface FixedComponent {
  /** Runner per graph name ('main' for single-graph components). */
  runners: Record<string, ComponentRunner>;
  config: Record<string, unknown>;
}

export class FixedProvider implements ComponentProvider {
  readonly finished: ComponentName[] = [];

  constructor(private readonly entries: Partial<Record<ComponentName, FixedComponent>>) {}

  private entry(name: ComponentName): FixedComponent {
    const e = this.entries[name];
    if (!e) throw new EngineError('MODEL_MISSING', `no ${name} component was provided`);
    return e;
  }

  private runner(name: ComponentName, graph = MAIN_GRAPH): ComponentRunner {
    const r = this.entry(name).runners[graph];
    if (!r) throw new EngineError('MODEL_CORRUPT', `${name} has no graph "${graph}" (graphs: ${this.graphs(name).join(', ')})`);
    return r;
  }

  has(name: ComponentName): boolean {
    return this.entries[name] !== undefined;
  }

  config(name: ComponentName): Record<string, unknown> {
    return this.entry(name).config;
  }

  graphs(name: ComponentName): string[] {
    return Object.keys(this.entry(name).runners);
  }

  io(name: ComponentName, graph?: string): ComponentIO {
    return this.runner(name, graph).io;
  }

  async get(name: ComponentName, graph?: string): Promise<ComponentRunner> {
    return this.runner(name, graph);
  }

  async done(name: ComponentName): Promise<void> {
    this.finished.push(name);
  }
}
