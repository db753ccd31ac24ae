// A ComponentProvider over runners that already exist (verify, tests, benches): nothing is
// created or released by the pipeline; `done` only records the order stages finished in.
import { EngineError } from '../errors.ts';
import type { ComponentName } from '../../models/manifest.ts';
import type { ComponentIO, ComponentProvider, ComponentRunner } from './types.ts';

export class FixedProvider implements ComponentProvider {
  readonly finished: ComponentName[] = [];

  constructor(private readonly entries: Partial<Record<ComponentName, { runner: ComponentRunner; config: Record<string, unknown> }>>) {}

  private entry(name: ComponentName) {
    const e = this.entries[name];
    if (!e) throw new EngineError('MODEL_MISSING', `no ${name} component was provided`);
    return e;
  }

  has(name: ComponentName): boolean {
    return this.entries[name] !== undefined;
  }

  config(name: ComponentName): Record<string, unknown> {
    return this.entry(name).config;
  }

  io(name: ComponentName): ComponentIO {
    return this.entry(name).runner.io;
  }

  async get(name: ComponentName): Promise<ComponentRunner> {
    return this.entry(name).runner;
  }

  async done(name: ComponentName): Promise<void> {
    this.finished.push(name);
  }
}
