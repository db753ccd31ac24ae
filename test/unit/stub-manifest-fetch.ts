// A fetch that answers every URL with one minimal valid models manifest (four required
// components, each a one-file stub graph): for tests whose engine is a test double, so the client
// only needs a manifest that passes validation.
import type { FetchLike } from '../../src/models/manifest.ts';

const component = {
  class: 'c',
  config: {},
  files: [{ path: 'g.onnx', size: 1, sha256: 'a'.repeat(64), role: 'graph' }],
  inputs: [{ name: 'x', dtype: 'float32', shape: [1] }],
  outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
  dtype: 'fp32',
};
const sampler = { steps: 1, cfg_strength: 1, cfg_interval: [0, 1], rescale_t: 1, sigma_min: 1e-5 };
const manifest = JSON.stringify({
  format: 'trellis-web-models', version: 1, id: 's', name: 's', dtype: 'fp32',
  components: { ss_flow: component, ss_decoder: component, slat_flow: component, slat_decoder_mesh: component },
  pipeline: { ss_sampler: sampler, slat_sampler: sampler, slat_normalization: { mean: Array(8).fill(0), std: Array(8).fill(1) } },
});

export const serveStubManifest: FetchLike = async () => ({ ok: true, status: 200, statusText: 'OK', text: async () => manifest });
