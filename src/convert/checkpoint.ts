// A TRELLIS checkpoint on disk: `<stem>.json` ({name, args}) + `<stem>.safetensors`, as in the
// Hugging Face repo's ckpts/ folder and in the golden cases (config.json + model.safetensors).

import { existsSync, readFileSync } from 'node:fs';
import { SafetensorsFile } from './safetensors.ts';
import type { StateDictSource } from './weights.ts';

export interface ModelConfig {
  name: string;
  args: Record<string, any>;
}

export class SafetensorsSource implements StateDictSource {
  readonly label: string;
  constructor(readonly file: SafetensorsFile) {
    this.label = file.path;
  }
  keys(): string[] {
    return this.file.keys();
  }
  shape(key: string): number[] {
    return this.file.info(key).shape;
  }
  float32(key: string): Float32Array {
    return this.file.readFloat32(key);
  }
}

export interface Checkpoint {
  config: ModelConfig;
  source: SafetensorsSource;
  close(): void;
}

export function readConfig(path: string): ModelConfig {
  if (!existsSync(path)) throw new Error(`${path}: config file not found`);
  let cfg: any;
  try {
    cfg = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof cfg?.name !== 'string' || typeof cfg?.args !== 'object' || cfg.args === null) {
    throw new Error(`${path}: expected {"name": <class>, "args": {...}}`);
  }
  return { name: cfg.name, args: cfg.args };
}

export function openCheckpoint(configPath: string, safetensorsPath: string): Checkpoint {
  const config = readConfig(configPath);
  if (!existsSync(safetensorsPath)) throw new Error(`${safetensorsPath}: weights file not found`);
  const file = new SafetensorsFile(safetensorsPath);
  return { config, source: new SafetensorsSource(file), close: () => file.close() };
}
