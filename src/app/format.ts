// Human-readable numbers for the page: bytes, seconds, stage names.
import type { Stage } from '../engine/protocol.ts';

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`formatBytes: expected a non-negative byte count, got ${bytes}`);
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ${units[unit]}`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`formatSeconds: expected non-negative seconds, got ${seconds}`);
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - 60 * m)
    .toString()
    .padStart(2, '0')} s`;
}

/** The stages a visitor sees, in pipeline order, with their labels. */
export const STAGE_LABELS: Record<Stage, string> = {
  download: 'Download models',
  load: 'Load',
  preprocess: 'Prepare image',
  background_removal: 'Remove background',
  conditioning: 'Image features',
  sparse_structure: 'Sparse structure',
  sparse_decode: 'Decode structure',
  structured_latent: 'Structured latent',
  mesh_decode: 'Decode mesh',
  gaussian_decode: 'Decode Gaussians',
  geometry: 'Extract surface',
  simplify: 'Simplify',
  uv_unwrap: 'UV unwrap',
  texture: 'Bake texture',
  export: 'Write GLB',
};

/** The stages shown as the progress track (optional ones appear only when they happen). */
export const TRACK_STAGES: readonly Stage[] = [
  'download',
  'preprocess',
  'conditioning',
  'sparse_structure',
  'structured_latent',
  'mesh_decode',
  'geometry',
  'simplify',
  'uv_unwrap',
  'texture',
  'export',
];

/**
 * How a stage that has no chip of its own is named on the progress line, after its chip's label
 * ("Sparse structure · decoding"), so the line never names a stage the track does not show.
 */
export const SUBSTAGE_LABELS: Partial<Record<Stage, string>> = {
  load: 'loading models',
  background_removal: 'removing background',
  sparse_decode: 'decoding',
  gaussian_decode: 'Gaussians',
};

/** Which track entry a stage belongs to (decoders fold into the sampling stage before them). */
export function trackStageOf(stage: Stage): Stage {
  switch (stage) {
    case 'load':
      return 'download';
    case 'background_removal':
      return 'preprocess';
    case 'sparse_decode':
      return 'sparse_structure';
    case 'gaussian_decode':
      return 'mesh_decode';
    default:
      return stage;
  }
}
