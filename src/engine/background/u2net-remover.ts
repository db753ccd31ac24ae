// rembg's u2net session run directly with ORT (the reference's own choice, pipeline.md §1.1.4):
// the existing rembg helpers do the exact pre/post-processing; the runner is the manifest's
// background_removal component (any u2net-like graph: one image input [1,3,S,S], mask first output).
import { EngineError } from '../errors.ts';
import type { RgbaImage } from '../image/rgba-image.ts';
import type { BackgroundRemover } from '../preprocess/preprocess-image.ts';
import { U2NET_INPUT_SIZE, u2netInputTensor, u2netMaskFromPrediction } from '../preprocess/rembg-u2net.ts';
import type { ComponentRunner } from '../pipeline/types.ts';

export function u2netInputSize(runner: ComponentRunner): number {
  const spec = runner.io.inputs[0];
  if (!spec || runner.io.inputs.length !== 1) {
    throw new EngineError('MODEL_CORRUPT', `background_removal (u2net): expected one image input, the graph declares ${runner.io.inputs.length}`);
  }
  const s = spec.shape;
  if (s.length !== 4 || (typeof s[1] === 'number' && s[1] !== 3)) {
    throw new EngineError('MODEL_CORRUPT', `background_removal (u2net): input ${spec.name} must be [1, 3, S, S], got [${s.join(', ')}]`);
  }
  return typeof s[2] === 'number' ? s[2] : U2NET_INPUT_SIZE;
}

export function u2netRemover(runner: ComponentRunner): BackgroundRemover {
  const size = u2netInputSize(runner);
  const input = runner.io.inputs[0].name;
  const output = runner.io.outputs[0].name;
  return async (rgb: RgbaImage) => {
    const data = u2netInputTensor(rgb, size);
    const out = await runner.run({ [input]: { dtype: 'float32', dims: [1, 3, size, size], data } }, [output]);
    const pred = out[output];
    return u2netMaskFromPrediction(pred.data as Float32Array, pred.dims, rgb.width, rgb.height);
  };
}
