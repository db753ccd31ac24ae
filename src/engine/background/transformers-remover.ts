// Background removal with a transformers.js image-segmentation model (RMBG, BiRefNet, MODNet...)
// loaded only from the model folder (no hub access). transformers.js imports
// onnxruntime-web/webgpu itself; package.json's `overrides` pins it to the engine's copy so one
// ORT instance serves both, and its wasm files are pointed at the same local folder.
import { EngineError } from '../errors.ts';
import type { RgbaImage } from '../image/rgba-image.ts';
import type { BackgroundRemover } from '../preprocess/preprocess-image.ts';
import { ort, type OrtBackend } from '../ort/ort-runtime.ts';

export async function transformersRemover(modelUrl: string, cfg: { dtype?: string }, backend: OrtBackend): Promise<BackgroundRemover> {
  const tf = await import('@huggingface/transformers');
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  // modelUrl = <base>/<id>/: transformers.js joins localModelPath + id.
  const trimmed = modelUrl.replace(/\/$/, '');
  const cut = trimmed.lastIndexOf('/');
  tf.env.localModelPath = `${trimmed.slice(0, cut + 1)}`;
  const id = trimmed.slice(cut + 1);
  const wasm = tf.env.backends.onnx.wasm as { wasmPaths?: unknown } | undefined;
  if (wasm && ort.env.wasm.wasmPaths) wasm.wasmPaths = ort.env.wasm.wasmPaths;
  let segmenter: (image: unknown) => Promise<unknown>;
  try {
    segmenter = (await tf.pipeline('background-removal', id, { device: backend === 'webgpu' ? 'webgpu' : 'wasm', dtype: (cfg.dtype ?? 'fp32') as 'fp32' })) as never;
  } catch (error) {
    throw new EngineError('MODEL_CORRUPT', `background_removal: transformers.js could not load the model at ${modelUrl}: ${(error as Error).message}`, { cause: error });
  }
  return async (rgb: RgbaImage) => {
    const image = new tf.RawImage(new Uint8ClampedArray(rgb.data), rgb.width, rgb.height, 4);
    const result = (await segmenter(image)) as { data: Uint8ClampedArray | Uint8Array; width: number; height: number; channels: number }[] | { data: Uint8Array; width: number; height: number; channels: number };
    const out = Array.isArray(result) ? result[0] : result;
    if (!out || out.width !== rgb.width || out.height !== rgb.height || out.channels !== 4) {
      throw new EngineError('INTERNAL', `background_removal: the transformers.js pipeline returned an unexpected image (${out?.width}x${out?.height}x${out?.channels})`);
    }
    const mask = new Uint8Array(rgb.width * rgb.height);
    for (let p = 0; p < mask.length; p++) mask[p] = out.data[p * 4 + 3];
    return mask;
  };
}
