// Hugging Face `Dinov2WithRegistersModel` checkpoints (facebook/dinov2-with-registers-*) seen
// through torch-hub names, so one graph builder serves both. query/key/value are fused back
// into the hub's qkv (rows q, then k, then v). Keys with the `dinov2_with_registers.` prefix
// (a checkpoint saved from a task model) are accepted as well as bare ones.

import type { StateDictSource } from '../weights.ts';

const HF_PREFIX = 'dinov2_with_registers.';

// One-to-one renames (networks.md §8); qkv is handled separately (three HF tensors).
const TOP: [hub: string, hf: string][] = [
  ['cls_token', 'embeddings.cls_token'],
  ['register_tokens', 'embeddings.register_tokens'],
  ['pos_embed', 'embeddings.position_embeddings'],
  ['mask_token', 'embeddings.mask_token'],
  ['patch_embed.proj.weight', 'embeddings.patch_embeddings.projection.weight'],
  ['patch_embed.proj.bias', 'embeddings.patch_embeddings.projection.bias'],
  ['norm.weight', 'layernorm.weight'],
  ['norm.bias', 'layernorm.bias'],
];
const IN_BLOCK: [hub: string, hf: string][] = [
  ['norm1.weight', 'norm1.weight'],
  ['norm1.bias', 'norm1.bias'],
  ['norm2.weight', 'norm2.weight'],
  ['norm2.bias', 'norm2.bias'],
  ['attn.proj.weight', 'attention.output.dense.weight'],
  ['attn.proj.bias', 'attention.output.dense.bias'],
  ['ls1.gamma', 'layer_scale1.lambda1'],
  ['ls2.gamma', 'layer_scale2.lambda1'],
  ['mlp.fc1.weight', 'mlp.fc1.weight'],
  ['mlp.fc1.bias', 'mlp.fc1.bias'],
  ['mlp.fc2.weight', 'mlp.fc2.weight'],
  ['mlp.fc2.bias', 'mlp.fc2.bias'],
];

function rename(name: string, from: 0 | 1, blockFrom: RegExp, blockTo: string): string | null {
  const top = TOP.find((e) => e[from] === name);
  if (top) return top[1 - from];
  const m = blockFrom.exec(name);
  if (!m) return null;
  const e = IN_BLOCK.find((r) => r[from] === m[2]);
  return e ? `${blockTo}${m[1]}.${e[1 - from]}` : null;
}

function hubToHfSingle(hub: string): string | null {
  return rename(hub, 0, /^blocks\.(\d+)\.(.+)$/, 'encoder.layer.');
}

function hubFromHf(hf: string): string | null {
  return rename(hf, 1, /^encoder\.layer\.(\d+)\.(.+)$/, 'blocks.');
}

const QKV = /^encoder\.layer\.(\d+)\.attention\.attention\.(query|key|value)\.(weight|bias)$/;

/** True when the source holds HF-named DINOv2 tensors (with or without the model prefix). */
export function isHfDinov2(src: StateDictSource): boolean {
  return src.keys().some((k) => k === 'embeddings.cls_token' || k === `${HF_PREFIX}embeddings.cls_token`);
}

export class HfDinov2Source implements StateDictSource {
  readonly label: string;
  private readonly prefix: string;
  /** hub name → the HF key(s) it is read from (three for a fused qkv). */
  private readonly map = new Map<string, string[]>();

  constructor(readonly inner: StateDictSource) {
    this.label = `${inner.label} (Hugging Face DINOv2 names)`;
    const keys = inner.keys();
    this.prefix = keys.some((k) => k.startsWith(HF_PREFIX)) ? HF_PREFIX : '';
    for (const full of keys) {
      const k = this.prefix && full.startsWith(this.prefix) ? full.slice(this.prefix.length) : full;
      const q = QKV.exec(k);
      if (q) {
        const [, i, , kind] = q;
        const hub = `blocks.${i}.attn.qkv.${kind}`;
        if (!this.map.has(hub)) {
          const part = (p: string) => `${this.prefix}encoder.layer.${i}.attention.attention.${p}.${kind}`;
          this.map.set(hub, [part('query'), part('key'), part('value')]);
        }
        continue;
      }
      const hub = hubFromHf(k);
      // Tensors with no hub counterpart keep their own name, so a strict load reports them.
      this.map.set(hub ?? full, [full]);
    }
    for (const [hub, parts] of this.map) {
      for (const p of parts) if (!keys.includes(p)) throw new Error(`${inner.label}: ${hub} needs ${p}, which is missing`);
    }
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  private parts(key: string): string[] {
    const p = this.map.get(key);
    if (!p) throw new Error(`${this.label}: no tensor for ${key}`);
    return p;
  }

  shape(key: string): number[] {
    const parts = this.parts(key);
    const first = this.inner.shape(parts[0]);
    if (parts.length === 1) return first;
    for (const p of parts.slice(1)) {
      const s = this.inner.shape(p);
      if (s.join(',') !== first.join(',')) throw new Error(`${this.inner.label}: ${p} has shape [${s}], ${parts[0]} has [${first}]`);
    }
    return [first[0] * parts.length, ...first.slice(1)];
  }

  float32(key: string): Float32Array {
    const parts = this.parts(key);
    if (parts.length === 1) return this.inner.float32(parts[0]);
    // Concatenation along the output axis (axis 0) is a plain append in row-major order.
    const arrays = parts.map((p) => this.inner.float32(p));
    const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      out.set(a, o);
      o += a.length;
    }
    return out;
  }
}

/** The HF names of a hub-named state dict (used by tests to build an HF-form checkpoint). */
export function hfNamesForHubKey(hub: string): string[] {
  const m = /^blocks\.(\d+)\.attn\.qkv\.(weight|bias)$/.exec(hub);
  if (m) return ['query', 'key', 'value'].map((p) => `encoder.layer.${m[1]}.attention.attention.${p}.${m[2]}`);
  const single = hubToHfSingle(hub);
  if (!single) throw new Error(`no Hugging Face name for DINOv2 tensor ${hub}`);
  return [single];
}

/** HF `config.json` of Dinov2WithRegistersModel → the torch-hub style args the builder takes. */
export function dinov2ArgsFromHfConfig(cfg: Record<string, any>): Record<string, any> {
  const need = (k: string) => {
    if (cfg[k] === undefined) throw new Error(`Hugging Face DINOv2 config: ${k} is missing`);
    return cfg[k];
  };
  if ((cfg.hidden_act ?? 'gelu') !== 'gelu') throw new Error(`Hugging Face DINOv2 config: hidden_act ${JSON.stringify(cfg.hidden_act)} is not supported (only "gelu")`);
  if (cfg.use_swiglu_ffn) throw new Error('Hugging Face DINOv2 config: use_swiglu_ffn is not supported (the ViT-L/14 model uses the plain MLP)');
  if (cfg.qkv_bias === false) throw new Error('Hugging Face DINOv2 config: qkv_bias false is not supported');
  const hidden = need('hidden_size');
  const mlpRatio = cfg.mlp_ratio ?? (cfg.intermediate_size ? cfg.intermediate_size / hidden : 4);
  return {
    img_size: need('image_size'),
    patch_size: need('patch_size'),
    embed_dim: hidden,
    depth: need('num_hidden_layers'),
    num_heads: need('num_attention_heads'),
    mlp_ratio: mlpRatio,
    init_values: cfg.layerscale_value ?? 1.0,
    ffn_layer: 'mlp',
    block_chunks: 0,
    num_register_tokens: need('num_register_tokens'),
    layer_norm_eps: cfg.layer_norm_eps ?? 1e-6,
    num_channels: cfg.num_channels ?? 3,
  };
}

/**
 * An HF checkpoint (its config.json object + tensors) as the hub-named args and source that
 * buildDinov2 takes. `configLabel` names the config file in errors.
 */
export function hfDinov2Source(hfConfig: Record<string, any>, source: StateDictSource, configLabel: string): { args: Record<string, any>; source: StateDictSource } {
  let args: Record<string, any>;
  try {
    args = dinov2ArgsFromHfConfig(hfConfig);
  } catch (e) {
    throw new Error(`${configLabel}: ${(e as Error).message}`);
  }
  if (!isHfDinov2(source)) throw new Error(`${source.label}: no embeddings.cls_token tensor: not a Hugging Face DINOv2 checkpoint`);
  return { args, source: new HfDinov2Source(source) };
}
