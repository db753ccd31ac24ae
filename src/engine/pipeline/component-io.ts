// Checks that a component's declared I/O (manifest `inputs`/`outputs`) is what a stage feeds it,
// and reads sizes from it. Names come from the graph builders via the manifest; a stage that
// needs an input the manifest does not declare fails here with the component and name.
import { EngineError } from '../errors.ts';
import type { TensorSpec } from '../../models/manifest.ts';
import type { ComponentIO } from './types.ts';

export function inputSpec(component: string, io: ComponentIO, name: string): TensorSpec {
  const spec = io.inputs.find((s) => s.name === name);
  if (!spec) {
    throw new EngineError('MODEL_CORRUPT', `${component}: the graph has no input "${name}" (inputs: ${io.inputs.map((s) => s.name).join(', ')})`);
  }
  return spec;
}

export function outputSpec(component: string, io: ComponentIO, name: string): TensorSpec {
  const spec = io.outputs.find((s) => s.name === name);
  if (!spec) {
    throw new EngineError('MODEL_CORRUPT', `${component}: the graph has no output "${name}" (outputs: ${io.outputs.map((s) => s.name).join(', ')})`);
  }
  return spec;
}

/** A dimension that must be a fixed number in the declared shape. */
export function fixedDim(component: string, spec: TensorSpec, axis: number): number {
  const d = spec.shape[axis];
  if (typeof d !== 'number') {
    throw new EngineError('MODEL_CORRUPT', `${component}: ${spec.name} axis ${axis} must be a fixed size, the manifest declares ${JSON.stringify(d)}`);
  }
  return d;
}

/** Number of padded swin groups the decoder graph was built with (inputs swin0_index_<g>). */
export function swinGroupCount(component: string, io: ComponentIO): number {
  const groups = io.inputs.filter((s) => /^swin0_index_\d+$/.test(s.name)).length;
  if (groups === 0) throw new EngineError('MODEL_CORRUPT', `${component}: the graph declares no swin0_index_<g> inputs`);
  return groups;
}

export function configInt(component: string, config: Record<string, unknown>, key: string, fallback?: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new EngineError('MODEL_CORRUPT', `${component}: config.${key} must be a positive integer, got ${JSON.stringify(config[key])}`);
  }
  return v;
}
