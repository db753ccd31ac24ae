import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openCheckpoint } from '../../src/convert/checkpoint.ts';
import { GraphBuilder } from '../../src/convert/onnx/graph-builder.ts';
import { Weights, type StateDictSource } from '../../src/convert/weights.ts';
import { buildDinov2, dinov2Source } from '../../src/convert/networks/dinov2.ts';
import { HfDinov2Source, dinov2ArgsFromHfConfig, hfNamesForHubKey, isHfDinov2 } from '../../src/convert/networks/dinov2-hf-names.ts';
import { caseDir, hasCase, readTensor } from '../helpers/golden.ts';
import { runGraph } from '../helpers/ort.ts';

const CASE = 'dinov2';

/** The golden hub checkpoint renamed to HF names in memory (qkv split into query/key/value). */
function hfRenamed(hub: StateDictSource, prefix: string): StateDictSource {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const k of hub.keys()) {
    const names = hfNamesForHubKey(k);
    const shape = hub.shape(k);
    const data = hub.float32(k);
    const rows = shape[0] / names.length;
    const per = data.length / names.length;
    names.forEach((n, i) => tensors.set(prefix + n, { shape: [rows, ...shape.slice(1)], data: data.slice(i * per, (i + 1) * per) }));
  }
  return {
    label: `hf-renamed(${prefix || 'no prefix'})`,
    keys: () => [...tensors.keys()],
    shape: (k) => tensors.get(k)!.shape,
    float32: (k) => tensors.get(k)!.data,
  };
}

// The golden case's hub config written the way HF's Dinov2WithRegistersConfig spells it.
const HF_CONFIG = {
  model_type: 'dinov2_with_registers', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, mlp_ratio: 4,
  hidden_act: 'gelu', layer_norm_eps: 1e-6, image_size: 518, patch_size: 14, num_channels: 3, qkv_bias: true,
  layerscale_value: 1.0, use_swiglu_ffn: false, num_register_tokens: 4,
};

describe.skipIf(!hasCase(CASE))('DINOv2 from Hugging Face names', () => {
  const ckpt = openCheckpoint(path.join(caseDir(CASE), 'config.json'), path.join(caseDir(CASE), 'model.safetensors'));

  function build(src: StateDictSource, args: Record<string, any>) {
    const w = new Weights(dinov2Source(src), new GraphBuilder('dinov2'));
    return buildDinov2(args, w, { attnQueryChunk: 700 }).graph.toBytes();
  }

  it('maps the HF config to the hub args of the same model', () => {
    const mapped = dinov2ArgsFromHfConfig(HF_CONFIG);
    const hub = ckpt.config.args;
    for (const k of ['img_size', 'patch_size', 'embed_dim', 'depth', 'num_heads', 'mlp_ratio', 'num_register_tokens', 'init_values']) {
      expect(mapped[k], k).toBe(hub[k]);
    }
    expect(() => dinov2ArgsFromHfConfig({ ...HF_CONFIG, hidden_act: 'gelu_new' })).toThrow(/hidden_act/);
  });

  it('recovers exactly the hub tensors (qkv fused in q, k, v order), with or without the model prefix', () => {
    for (const prefix of ['', 'dinov2_with_registers.']) {
      const hf = hfRenamed(ckpt.source, prefix);
      expect(isHfDinov2(hf)).toBe(true);
      const back = new HfDinov2Source(hf);
      expect(back.keys().sort()).toEqual(ckpt.source.keys().sort());
      for (const k of ckpt.source.keys()) {
        expect(back.shape(k), k).toEqual(ckpt.source.shape(k));
        expect(back.float32(k), k).toEqual(ckpt.source.float32(k));
      }
    }
    expect(isHfDinov2(ckpt.source)).toBe(false);
  });

  it('builds a graph with identical outputs from HF-named weights', async () => {
    const hubModel = build(ckpt.source, ckpt.config.args);
    const hfModel = build(hfRenamed(ckpt.source, 'dinov2_with_registers.'), dinov2ArgsFromHfConfig(HF_CONFIG));
    // A deterministic pseudo-image in the normalised range.
    const n = 3 * 518 * 518;
    const img = new Float32Array(n);
    for (let i = 0; i < n; i++) img[i] = Math.sin(i * 0.37) * 2;
    const feeds = { image: { dtype: 'float32' as const, dims: [1, 3, 518, 518], data: img } };
    const a = await runGraph(hubModel, feeds);
    const b = await runGraph(hfModel, feeds);
    expect(b.cond.data).toEqual(a.cond.data);
    expect(b.x_prenorm.data).toEqual(a.x_prenorm.data);
    expect(Number.isFinite((a.cond.data as Float32Array)[0])).toBe(true);
  }, 60_000);

  it('reports HF tensors that have no hub counterpart', () => {
    const hf = hfRenamed(ckpt.source, '');
    const extra: StateDictSource = { ...hf, keys: () => [...hf.keys(), 'pooler.dense.weight'], shape: (k) => (k === 'pooler.dense.weight' ? [64, 64] : hf.shape(k)), float32: (k) => (k === 'pooler.dense.weight' ? new Float32Array(64 * 64) : hf.float32(k)) };
    expect(() => build(extra, ckpt.config.args)).toThrow(/pooler\.dense\.weight/);
  });

  it('a batch of two images gives each image the tokens it gets alone (cls/register tokens broadcast over B)', async () => {
    const model = build(ckpt.source, ckpt.config.args);
    const golden = readTensor(CASE, 'image').data as Float32Array;
    const n = golden.length;
    const other = new Float32Array(n);
    for (let i = 0; i < n; i++) other[i] = golden[n - 1 - i] * 0.5;
    const one = async (img: Float32Array) => (await runGraph(model, { image: { dtype: 'float32', dims: [1, 3, 518, 518], data: img } })).cond.data as Float32Array;
    const pair = new Float32Array(2 * n);
    pair.set(golden, 0);
    pair.set(other, n);
    const both = (await runGraph(model, { image: { dtype: 'float32', dims: [2, 3, 518, 518], data: pair } })).cond;
    const per = both.data.length / 2;
    expect(both.dims).toEqual([2, 1374, 64]);
    const [a, b] = [await one(golden), await one(other)];
    let maxDiff = 0;
    for (let i = 0; i < per; i++) maxDiff = Math.max(maxDiff, Math.abs((both.data as Float32Array)[i] - a[i]), Math.abs((both.data as Float32Array)[per + i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-5);
  });
});

