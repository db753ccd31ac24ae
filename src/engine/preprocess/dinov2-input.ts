// The DINOv2 conditioning input (pipeline.md §1.3): uint8 RGB -> float32 /255 (numpy), CHW,
// then torchvision Normalize, which is x.sub_(mean).div_(std) with float32 mean/std tensors.
// Every step is one float32 rounding, reproduced with Math.fround.
import type { RgbImage } from './preprocess-image.ts';
import { CONDITION_SIZE } from './preprocess-image.ts';
import { IMAGENET_MEAN, IMAGENET_STD } from './imagenet-stats.ts';

const f = Math.fround;
const MEAN32 = IMAGENET_MEAN.map(f);
const STD32 = IMAGENET_STD.map(f);

/** Writes one image's [3, H, W] normalised tensor into `out` at `offset`. */
function writeNormalized(img: RgbImage, out: Float32Array, offset: number): void {
  const plane = img.width * img.height;
  const d = img.data;
  for (let c = 0; c < 3; c++) {
    const m = MEAN32[c];
    const s = STD32[c];
    const base = offset + c * plane;
    for (let p = 0; p < plane; p++) {
      // uint8 / 255 in float32 (division of exact small integers: double then fround is the
      // correctly rounded float32 quotient), then (x - mean) and / std each rounded to float32.
      const x = f(d[p * 3 + c] / 255);
      out[base + p] = f(f(x - m) / s);
    }
  }
}

/** K preprocessed 518x518 RGB images -> Float32Array [K, 3, 518, 518] (the dinov2 input). */
export function dinov2InputTensor(images: readonly RgbImage[], size = CONDITION_SIZE): { data: Float32Array; dims: [number, 3, number, number] } {
  if (images.length === 0) throw new Error('dinov2 input: at least one image is needed');
  const plane = size * size;
  const out = new Float32Array(images.length * 3 * plane);
  images.forEach((img, k) => {
    if (img.width !== size || img.height !== size || img.data.length !== plane * 3) {
      throw new Error(`dinov2 input: image ${k} is ${img.width}x${img.height} (${img.data.length} bytes), expected ${size}x${size} RGB`);
    }
    writeNormalized(img, out, k * 3 * plane);
  });
  return { data: out, dims: [images.length, 3, size, size] };
}
