// What each engine error code means for the person in front of the page, and what to do next.
import type { EngineErrorCode } from '../engine/protocol.ts';

/** The README's command: the checkpoint, DINOv2 (the image encoder) and a background-removal model. */
export const CONVERT_COMMAND =
  'npx trellis-web convert --from hf:microsoft/TRELLIS-image-large --dinov2 hf:facebook/dinov2-with-registers-large --background-model hf:briaai/RMBG-1.4 --out public/models/trellis-image-large';
/** The same without a background model, for the NO_BACKGROUND_MODEL advice that adds one. */
export const CONVERT_COMMAND_BASE = 'npx trellis-web convert --from hf:microsoft/TRELLIS-image-large --dinov2 hf:facebook/dinov2-with-registers-large --out public/models/trellis-image-large';
export const FIXTURES_COMMAND = 'npm run fixtures';

export interface ErrorHelp {
  title: string;
  /** Paragraphs; `code` spans are marked with backticks. */
  advice: string[];
  /** Offer switching to the WASM backend. */
  offerWasm?: boolean;
  /** Offer retrying with the opaque image used as it is (no background removal). */
  offerImageAsIs?: boolean;
}

export function errorHelp(code: EngineErrorCode | 'VALIDATION' | string): ErrorHelp {
  switch (code) {
    case 'WEBGPU_UNAVAILABLE':
      return {
        title: 'WebGPU is not available',
        advice: [
          'This browser or GPU does not offer WebGPU. Chrome/Edge 113+ on a recent GPU driver do; in Chromium on Linux start it with `--enable-unsafe-webgpu`.',
          'You can run on the CPU with WebAssembly instead. It works everywhere but is much slower.',
        ],
        offerWasm: true,
      };
    case 'MODEL_MISSING':
      return {
        title: 'Model files not found',
        advice: [
          'The model folder has no manifest.json. Model weights are not shipped with the site; make them once on your machine:',
          `Real TRELLIS weights, from a downloaded microsoft/TRELLIS-image-large checkpoint folder: \`${CONVERT_COMMAND}\``,
          `Tiny random-weight demo models (fast, output is noise-shaped): \`${FIXTURES_COMMAND}\``,
          'Then reload this page.',
        ],
      };
    case 'MODEL_CORRUPT':
      return {
        title: 'Model files are damaged or from another version',
        advice: ['The manifest or a model file does not match what was converted. Re-run the conversion:', `\`${CONVERT_COMMAND}\``],
      };
    case 'OUT_OF_MEMORY':
      return {
        title: 'Out of GPU memory',
        advice: ['Close other GPU-heavy tabs, lower texture_size, or try the WASM device.'],
        offerWasm: true,
      };
    case 'DEVICE_LOST':
      return { title: 'The GPU was reset', advice: ['The graphics driver stopped the computation. Reload the page and try again.'] };
    case 'BAD_IMAGE':
      return { title: 'The image could not be read', advice: ['Use a PNG, JPEG or WebP image, and check that the URL allows cross-origin access (CORS).'] };
    case 'NO_FOREGROUND':
      return { title: 'No object found in the image', advice: ['Use a picture with one clear object, ideally on a plain or transparent background.'] };
    case 'NO_BACKGROUND_MODEL':
      return {
        title: 'Background removal is not installed',
        advice: [
          'This image has no transparency, and the model folder has no background-removal model to cut the object out. Use a PNG with a transparent background, or choose "Use the image as-is" (the whole picture, background included, becomes the object).',
          `To add background removal, convert the models again with a background model folder (a u2net .onnx, or a transformers.js segmentation model such as RMBG): \`${CONVERT_COMMAND_BASE} --background-model <folder>\``,
        ],
        offerImageAsIs: true,
      };
    case 'BAD_REQUEST':
      return { title: 'Request rejected', advice: ['The engine refused this request; the details are below.'] };
    case 'CANCELLED':
      return { title: 'Cancelled', advice: [] };
    case 'VALIDATION':
      return { title: 'Please fix the marked parameters', advice: [] };
    default:
      return { title: 'Something went wrong', advice: ['This is a bug in Trellis Web. The details below help to report it.'] };
  }
}
