// `verify` for pipeline_single / pipeline_stochastic / pipeline_multidiffusion: the golden set's
// four network cases (ss_flow, ss_decoder, slat_flow, slat_decoder_mesh) are built as fp32 ONNX
// graphs by the converter's registry and run through the engine's pipeline (ORT wasm) with the golden `cond` in place of
// DINOv2 and the seed, sampler params, normalisation and multi-image algorithm of index.json
// `_info`. Checks: stage-1 coords identical, slat feats within 1e-3·max(1, rms), and (when the
// case records it) the mesh decoder output: coords identical, features within the same bound.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { openCheckpoint } from '../convert/checkpoint.ts';
import { buildNetwork } from '../convert/networks/registry.ts';
import { caseDir, compare, hasCase, readIndex, readTensor, setGoldenRoot } from '../golden/golden-set.ts';
import { configureOrt } from '../engine/ort/ort-runtime.ts';
import { OrtComponentRunner } from '../engine/ort/session-runner.ts';
import { FixedProvider, type FixedComponent } from '../engine/pipeline/fixed-provider.ts';
import { runPipeline, type PipelineResult } from '../engine/pipeline/run-pipeline.ts';
import type { ComponentName } from '../models/manifest.ts';
import type { SamplerParams } from '../engine/sampler/index.ts';
import type { VerifyRow } from './types.ts';

export const PIPELINE_CASES = ['pipeline_single', 'pipeline_stochastic', 'pipeline_multidiffusion'] as const;
export const PIPELINE_TOL = 1e-3;
/** args.sigma_min of both samplers in pipeline.json; _info does not repeat it. */
const DEFAULT_SIGMA_MIN = 1e-5;

type Info = Record<string, any>;

function samplerParams(info: Info, key: 'ss_sampler' | 'slat_sampler', label: string): SamplerParams {
  const s = info[key];
  if (!s || typeof s.steps !== 'number') throw new Error(`golden ${label}: _info.${key} with steps, cfg_strength, cfg_interval, rescale_t is required`);
  return { steps: s.steps, cfgStrength: s.cfg_strength, cfgInterval: s.cfg_interval, rescaleT: s.rescale_t, sigmaMin: s.sigma_min ?? DEFAULT_SIGMA_MIN };
}

function checkpointOf(name: string) {
  return openCheckpoint(path.join(caseDir(name), 'config.json'), path.join(caseDir(name), 'model.safetensors'));
}

/**
 * The four networks of the golden set as fp32 graphs, built by the converter's registry exactly
 * as `convert` builds them (so the mesh decoder is its head/stats/tail graphs).
 */
export function buildGoldenNetworks(): Record<string, { graphs: Record<string, Uint8Array>; config: Record<string, unknown> }> {
  const flowCk = checkpointOf('ss_flow');
  const ssResolution = Number(flowCk.config.args.resolution);
  flowCk.close();
  const out: Record<string, { graphs: Record<string, Uint8Array>; config: Record<string, unknown> }> = {};
  for (const name of ['ss_flow', 'ss_decoder', 'slat_flow', 'slat_decoder_mesh']) {
    const ck = checkpointOf(name);
    try {
      const built = buildNetwork(ck.config, ck.source, 'fp32', { ssResolution });
      if (built.component !== name) throw new Error(`golden ${name}: class ${ck.config.name} builds a ${built.component} network`);
      const graphs: Record<string, Uint8Array> = {};
      for (const g of built.graphs) graphs[g.name] = g.graph.toBytes();
      out[name] = { graphs, config: ck.config.args as Record<string, unknown> };
    } finally {
      ck.close();
    }
  }
  return out;
}

export async function goldenProvider(): Promise<FixedProvider> {
  configureOrt();
  const entries: Record<string, FixedComponent> = {};
  for (const [name, net] of Object.entries(buildGoldenNetworks())) {
    const runners: FixedComponent['runners'] = {};
    for (const [graph, bytes] of Object.entries(net.graphs)) {
      runners[graph] = await OrtComponentRunner.create(name as ComponentName, null, { graph: bytes, externalData: [] }, { backend: 'wasm' });
    }
    entries[name] = { runners, config: net.config };
  }
  return new FixedProvider(entries);
}

/** Runs one pipeline case through the engine's pipeline. */
export async function runGoldenPipeline(provider: FixedProvider, name: string): Promise<PipelineResult> {
  const index = readIndex(name);
  const info: Info = index._info;
  if (!info) throw new Error(`golden ${name}: index.json has no _info`);
  const cond = readTensor(name, 'cond');
  if (cond.dtype !== 'float32' || cond.shape.length !== 3) throw new Error(`golden ${name}: cond must be float32 [K, L, C], got ${cond.dtype} [${cond.shape}]`);
  const wantMesh = Boolean(index.mesh_out_feats);
  return runPipeline(provider, {
    cond: { data: cond.data as Float32Array, dims: cond.shape as [number, number, number] },
    seed: info.seed,
    ss: samplerParams(info, 'ss_sampler', name),
    slat: samplerParams(info, 'slat_sampler', name),
    multiimageAlgo: info.multiimage_algo ?? 'stochastic',
    normalization: info.slat_normalization,
    decoders: { mesh: wantMesh, gaussians: false },
    // The slim path not needed here; stage-1 CFG pairs run as two calls like the reference.
    batchCfgPair: false,
  });
}

function row(caseName: string, tensor: string, actual: ArrayLike<number>, ref: ArrayLike<number>, tol: number): VerifyRow {
  if (actual.length !== ref.length) return { case: caseName, tensor, maxAbs: Infinity, rmsRef: NaN, tol, pass: false };
  const c = compare(actual, ref);
  return { case: caseName, tensor, maxAbs: c.maxAbs, rmsRef: c.rmsRef, tol, pass: c.maxAbs <= tol * Math.max(1, c.rmsRef) };
}

function exactRow(caseName: string, tensor: string, actual: Int32Array, ref: Int32Array): VerifyRow {
  let diff = actual.length === ref.length ? 0 : Infinity;
  if (diff === 0) for (let i = 0; i < ref.length; i++) if (actual[i] !== ref[i]) diff++;
  return { case: caseName, tensor: `${tensor}: values differing, of ${ref.length}`, maxAbs: diff, rmsRef: ref.length / 4, tol: 0, pass: diff === 0, check: 'exact' };
}

export function pipelineCases(goldenDir: string): string[] {
  setGoldenRoot(goldenDir);
  return readdirSync(goldenDir).filter((n) => (PIPELINE_CASES as readonly string[]).includes(n) && hasCase(n)).sort();
}

export async function verifyPipeline(goldenDir: string): Promise<VerifyRow[]> {
  const cases = pipelineCases(goldenDir);
  if (cases.length === 0) return [];
  const provider = await goldenProvider();
  const rows: VerifyRow[] = [];
  for (const name of cases) {
    const index = readIndex(name);
    const result = await runGoldenPipeline(provider, name);
    rows.push(exactRow(name, 'coords', result.structure.coords, readTensor(name, 'coords').data as Int32Array));
    if (index.slat_coords) rows.push(exactRow(name, 'slat_coords', result.slat.coords, readTensor(name, 'slat_coords').data as Int32Array));
    rows.push(row(name, 'slat_feats', result.slat.feats, readTensor(name, 'slat_feats').data as Float32Array, PIPELINE_TOL));
    if (index.mesh_out_feats && result.mesh) {
      rows.push(exactRow(name, 'mesh_out_coords', result.mesh.coords, readTensor(name, 'mesh_out_coords').data as Int32Array));
      rows.push(row(name, 'mesh_out_feats', result.mesh.feats, readTensor(name, 'mesh_out_feats').data as Float32Array, PIPELINE_TOL));
    }
  }
  return rows;
}
