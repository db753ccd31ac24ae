// What the page says about a model set: its name and size, and an honest warning when the
// weights are random (the demo set makes noise-shaped meshes, not objects).
import type { ManifestV1 } from '../models/manifest.ts';
import { manifestBytes } from '../models/manifest.ts';
import { formatBytes } from './format.ts';

export interface ModelNotice {
  /** One line for the status bar. */
  summary: string;
  /** Shown prominently when set: the output will not resemble the input. */
  warning: string | null;
}

/** A model set whose description or id marks it as random weights (the converter's demo fixtures). */
export function isRandomWeights(manifest: Pick<ManifestV1, 'id' | 'description'>): boolean {
  return /\brandom\b/i.test(manifest.id.replace(/[-_]/g, ' ')) || /random weights|noise/i.test(manifest.description ?? '');
}

export function describeModel(manifest: ManifestV1): ModelNotice {
  const summary = `model: ${manifest.name} (${manifest.dtype}, ${formatBytes(manifestBytes(manifest))})`;
  if (!isRandomWeights(manifest)) return { summary, warning: null };
  const why = manifest.description?.trim() || 'This model set has random weights.';
  return {
    summary,
    warning: `Demo models loaded — "${manifest.name}": ${why} The pipeline runs for real, but the mesh will not look like your picture. Convert the real TRELLIS weights for real results.`,
  };
}
