// get_cond (pipeline.md §1.3): the K preprocessed images → DINOv2 → cond [K, L, C]. Images run
// one at a time (batch 1) so the attention activations do not grow with K.
import { EngineError, throwIfCancelled } from '../errors.ts';
import { dinov2InputTensor } from '../preprocess/dinov2-input.ts';
import type { RgbImage } from '../preprocess/preprocess-image.ts';
import { fixedDim, inputSpec, outputSpec } from './component-io.ts';
import type { ComponentProvider, CondTensor } from './types.ts';

export async function encodeImages(provider: ComponentProvider, images: readonly RgbImage[], signal?: AbortSignal): Promise<CondTensor> {
  if (!provider.has('dinov2')) {
    throw new EngineError('MODEL_MISSING', 'the model set has no dinov2 component, so images cannot be turned into conditioning tokens');
  }
  const io = provider.io('dinov2');
  const imageSpec = inputSpec('dinov2', io, 'image');
  const condSpec = outputSpec('dinov2', io, 'cond');
  const size = fixedDim('dinov2', imageSpec, 2);
  const L = fixedDim('dinov2', condSpec, 1);
  const C = fixedDim('dinov2', condSpec, 2);
  const out = new Float32Array(images.length * L * C);
  const runner = await provider.get('dinov2');
  for (let k = 0; k < images.length; k++) {
    throwIfCancelled(signal);
    const input = dinov2InputTensor([images[k]], size);
    const r = await runner.run({ image: { dtype: 'float32', dims: input.dims, data: input.data } }, ['cond']);
    out.set(r.cond.data as Float32Array, k * L * C);
  }
  return { data: out, dims: [images.length, L, C] };
}
