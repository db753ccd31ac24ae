// Reads a local copy of a TRELLIS model repo (Hugging Face layout): pipeline.json naming
// ckpts/<stem> for each pipeline model, each with <stem>.json ({name, args}) and
// <stem>.safetensors; and a DINOv2 folder (torch-hub names with {name, args} config, or the
// Hugging Face facebook/dinov2-with-registers-* layout).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ComponentName } from '../models/manifest.ts';
import { containedPathProblem } from '../models/contained-path.ts';

/** pipeline.json model key -> our component name. */
export const PIPELINE_MODEL_KEYS: Record<string, ComponentName> = {
  sparse_structure_flow_model: 'ss_flow',
  sparse_structure_decoder: 'ss_decoder',
  slat_flow_model: 'slat_flow',
  slat_decoder_mesh: 'slat_decoder_mesh',
  slat_decoder_gs: 'slat_decoder_gs',
};

export interface CheckpointFiles {
  component: ComponentName;
  configPath: string;
  weightsPath: string;
}

export interface TrellisRepo {
  dir: string;
  pipeline: {
    ss_sampler: { steps: number; cfg_strength: number; cfg_interval: [number, number]; rescale_t: number; sigma_min: number };
    slat_sampler: { steps: number; cfg_strength: number; cfg_interval: [number, number]; rescale_t: number; sigma_min: number };
    slat_normalization: { mean: number[]; std: number[] };
  };
  checkpoints: CheckpointFiles[];
  raw: any;
}

export class RepoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RepoError';
  }
}

function readJson(file: string): any {
  if (!existsSync(file)) throw new RepoError(`${file}: not found`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RepoError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

function sampler(file: string, key: string, block: any): TrellisRepo['pipeline']['ss_sampler'] {
  const p = block?.params ?? {};
  const a = block?.args ?? {};
  const need = (v: unknown, what: string) => {
    if (v === undefined) throw new RepoError(`${file}: ${key}.${what} is missing`);
    return v as any;
  };
  return {
    steps: need(p.steps, 'params.steps'),
    cfg_strength: need(p.cfg_strength, 'params.cfg_strength'),
    cfg_interval: need(p.cfg_interval, 'params.cfg_interval'),
    rescale_t: need(p.rescale_t, 'params.rescale_t'),
    sigma_min: need(a.sigma_min, 'args.sigma_min'),
  };
}

/** Model keys this port needs; slat_decoder_gs is optional (texture colours). */
const REQUIRED_KEYS = ['sparse_structure_flow_model', 'sparse_structure_decoder', 'slat_flow_model', 'slat_decoder_mesh'];

export function readTrellisRepo(dir: string, wanted?: ComponentName[]): TrellisRepo {
  const file = path.join(dir, 'pipeline.json');
  const raw = readJson(file);
  const args = raw.args ?? raw;
  const models = args.models;
  if (!models || typeof models !== 'object') throw new RepoError(`${file}: no "models" block (expected {"args": {"models": {...}}})`);
  const checkpoints: CheckpointFiles[] = [];
  for (const [key, component] of Object.entries(PIPELINE_MODEL_KEYS)) {
    if (wanted && !wanted.includes(component)) continue;
    const rel = models[key];
    if (rel === undefined) {
      if (REQUIRED_KEYS.includes(key)) throw new RepoError(`${file}: models.${key} is missing`);
      continue;
    }
    // The same rule as manifest paths: pipeline.json may only name checkpoints inside the repo.
    const problem = containedPathProblem(rel);
    if (problem) throw new RepoError(`${file}: models.${key} ${JSON.stringify(rel)} ${problem}; it must name a checkpoint inside the repo folder (e.g. "ckpts/ss_flow_img_dit_L_16l8_fp16")`);
    const stem = path.join(dir, rel);
    const configPath = `${stem}.json`;
    const weightsPath = `${stem}.safetensors`;
    for (const f of [configPath, weightsPath]) {
      if (!existsSync(f)) throw new RepoError(`${f}: not found (named by ${file} models.${key})`);
    }
    checkpoints.push({ component, configPath, weightsPath });
  }
  const norm = args.slat_normalization;
  if (!norm || !Array.isArray(norm.mean) || !Array.isArray(norm.std)) throw new RepoError(`${file}: slat_normalization {mean, std} is missing`);
  return {
    dir,
    raw,
    checkpoints,
    pipeline: {
      ss_sampler: sampler(file, 'sparse_structure_sampler', args.sparse_structure_sampler),
      slat_sampler: sampler(file, 'slat_sampler', args.slat_sampler),
      slat_normalization: { mean: norm.mean, std: norm.std },
    },
  };
}

/** Files of the released pipeline needed for a conversion (download list for hf:<repo>). */
export function neededRepoFiles(pipelineJson: any, wanted?: ComponentName[]): string[] {
  const models = (pipelineJson.args ?? pipelineJson).models ?? {};
  const files: string[] = [];
  for (const [key, component] of Object.entries(PIPELINE_MODEL_KEYS)) {
    if (wanted && !wanted.includes(component)) continue;
    if (models[key]) files.push(`${models[key]}.json`, `${models[key]}.safetensors`);
  }
  return files;
}

export interface Dinov2Files {
  configPath: string;
  weightsPath: string;
  naming: 'hub' | 'hf';
}

/** A DINOv2 folder: config.json + model.safetensors (HF) or {name,args} config (torch-hub names). */
export function readDinov2Dir(dir: string): Dinov2Files {
  const configPath = path.join(dir, 'config.json');
  const weightsPath = path.join(dir, 'model.safetensors');
  const cfg = readJson(configPath);
  if (!existsSync(weightsPath)) throw new RepoError(`${weightsPath}: not found`);
  const naming = typeof cfg.name === 'string' && cfg.args ? 'hub' : 'hf';
  if (naming === 'hf' && !String(cfg.model_type ?? '').startsWith('dinov2')) {
    throw new RepoError(`${configPath}: not a DINOv2 config (model_type ${JSON.stringify(cfg.model_type)}; expected dinov2_with_registers)`);
  }
  return { configPath, weightsPath, naming };
}
