// The engine's pipeline on the golden set's four networks (fp32, ORT wasm) with the golden cond:
// identical stage-1 coords, slat feats and mesh decoder output within 1e-3·max(1, rms).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldenRoot, hasCase, readIndex, readTensor, compare } from '../helpers/golden.ts';
import { goldenProvider, PIPELINE_CASES, PIPELINE_TOL, runGoldenPipeline } from '../../src/verify/pipeline.ts';
import type { FixedProvider } from '../../src/engine/pipeline/fixed-provider.ts';
import { setGoldenRoot } from '../../src/golden/golden-set.ts';

const haveNets = ['ss_flow', 'ss_decoder', 'slat_flow', 'slat_decoder_mesh'].every(hasCase);

describe.skipIf(!haveNets)('golden pipeline parity', () => {
  let provider: FixedProvider;
  beforeAll(async () => {
    setGoldenRoot(goldenRoot);
    provider = await goldenProvider();
  }, 300_000);
  afterAll(() => undefined);

  for (const name of PIPELINE_CASES) {
    it.skipIf(!hasCase(name))(`${name}: coords identical, slat feats${name === 'pipeline_single' ? ' and mesh features' : ''} within tolerance`, async () => {
      const index = readIndex(name);
      const r = await runGoldenPipeline(provider, name);
      const refCoords = readTensor(name, 'coords').data as Int32Array;
      expect(r.structure.count).toBe(refCoords.length / 4);
      expect(Array.from(r.structure.coords)).toEqual(Array.from(refCoords));
      const feats = compare(r.slat.feats, readTensor(name, 'slat_feats').data as Float32Array);
      console.log(`${name}: N=${r.structure.count} slat_feats max|err| ${feats.maxAbs.toExponential(3)} rms(ref) ${feats.rmsRef.toFixed(3)}`);
      expect(feats.maxAbs).toBeLessThanOrEqual(PIPELINE_TOL * Math.max(1, feats.rmsRef));
      if (index.mesh_out_feats) {
        expect(r.mesh).toBeDefined();
        expect(Array.from(r.mesh!.coords)).toEqual(Array.from(readTensor(name, 'mesh_out_coords').data as Int32Array));
        const m = compare(r.mesh!.feats, readTensor(name, 'mesh_out_feats').data as Float32Array);
        console.log(`${name}: mesh_out_feats max|err| ${m.maxAbs.toExponential(3)} rms(ref) ${m.rmsRef.toFixed(3)}`);
        expect(m.maxAbs).toBeLessThanOrEqual(PIPELINE_TOL * Math.max(1, m.rmsRef));
        expect(r.mesh!.resolution).toBe(256);
        expect(r.mesh!.channels).toBe(101);
      }
      // Stage order and the release hooks the session provider relies on.
      expect(provider.finished.slice(-4 + (index.mesh_out_feats ? 0 : 1))).toEqual(
        index.mesh_out_feats ? ['ss_flow', 'ss_decoder', 'slat_flow', 'slat_decoder_mesh'] : ['ss_flow', 'ss_decoder', 'slat_flow'],
      );
    }, 600_000);
  }
});
