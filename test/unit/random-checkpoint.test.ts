import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/convert/checkpoint.ts';
import { gaussianOffsetPerturbation, gridApe, writeRandomCheckpoint } from '../../src/convert/fixtures/random-checkpoint.ts';
import { stateDictLayout } from '../../src/convert/state-dict-layout.ts';
import { compare, readTensor } from '../helpers/golden.ts';
import { SafetensorsFile } from '../../src/convert/safetensors.ts';
import path2 from 'node:path';
import { goldenRoot } from '../helpers/golden.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'trellis-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('random checkpoints in the reference layout', () => {
  it('writes a readable fp16 checkpoint with the layout of its class', () => {
    const args = { resolution: 8, in_channels: 8, out_channels: 8, model_channels: 48, cond_channels: 16, num_blocks: 1, num_heads: 3, mlp_ratio: 4, patch_size: 1, pe_mode: 'ape', qk_rms_norm: true };
    const stem = path.join(dir, 'ss_flow_tiny');
    writeRandomCheckpoint(stem, 'SparseStructureFlowModel', args, { dtype: 'F16', seed: 1 });
    const ck = openCheckpoint(`${stem}.json`, `${stem}.safetensors`);
    const layout = stateDictLayout('SparseStructureFlowModel', args);
    expect(ck.source.keys().sort()).toEqual([...layout.keys()].sort());
    const w = ck.source.float32('blocks.0.self_attn.to_qkv.weight');
    const bound = Math.sqrt(3 / 48);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound * 1.001);
    expect(new Set(w).size).toBeGreaterThan(w.length / 4);
    ck.close();
  });

  it('computes the stored buffers exactly as the reference does', () => {
    // The golden ss_flow pos_emb is the reference APE of its 16³ grid.
    const gold = new SafetensorsFile(path2.join(goldenRoot, 'ss_flow', 'model.safetensors'));
    const pe = gold.readFloat32('pos_emb');
    const [rows, c] = gold.info('pos_emb').shape;
    const ours = gridApe(Math.round(Math.cbrt(rows)), c);
    expect(compare(ours, pe).maxAbs).toBeLessThan(1e-5);
    gold.close();
    const gs = new SafetensorsFile(path2.join(goldenRoot, 'slat_decoder_gs', 'model.safetensors'));
    const off = gs.readFloat32('offset_perturbation');
    expect(compare(gaussianOffsetPerturbation(gs.info('offset_perturbation').shape[0]), off).maxAbs).toBeLessThan(1e-6);
    gs.close();
    void readTensor;
  });
});
