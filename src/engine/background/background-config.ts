// The background_removal component's config: which runtime runs it.
//   { "kind": "u2net" }                       the graph file is run with ORT like rembg (default)
//   { "kind": "transformers", "model": "<folder relative to the manifest>", "dtype"?: "fp32" }
//                                             a transformers.js image-segmentation model folder
import { EngineError } from '../errors.ts';
import { containedPathProblem } from '../../models/contained-path.ts';

export type BackgroundConfig = { kind: 'u2net' } | { kind: 'transformers'; model: string; dtype?: string };

export function backgroundConfig(config: Record<string, unknown>): BackgroundConfig {
  const kind = config.kind ?? 'u2net';
  if (kind === 'u2net') return { kind };
  if (kind === 'transformers') {
    if (typeof config.model !== 'string' || config.model.length === 0) {
      throw new EngineError('MODEL_CORRUPT', 'background_removal: config.model (the transformers.js model folder, relative to the manifest) is required when kind is "transformers"');
    }
    // Same rule as manifest file paths: the model folder must lie inside the manifest's folder.
    const problem = containedPathProblem(config.model.replace(/\/$/, ''));
    if (problem) throw new EngineError('MODEL_CORRUPT', `background_removal: config.model ${JSON.stringify(config.model)} ${problem}; it must name a folder inside the model folder`);
    return { kind, model: config.model, ...(typeof config.dtype === 'string' ? { dtype: config.dtype } : {}) };
  }
  throw new EngineError('MODEL_CORRUPT', `background_removal: config.kind must be "u2net" or "transformers", got ${JSON.stringify(kind)}`);
}
