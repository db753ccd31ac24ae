// ImageNet channel statistics, used by both the DINOv2 transform (torchvision Normalize) and
// rembg's u2net input normalisation.
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];
