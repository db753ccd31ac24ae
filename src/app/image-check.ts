// Early checks of what a visitor drops, pastes or picks, so a wrong file is named at once instead
// of failing deep in the pipeline.

export const ACCEPTED_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/bmp', 'image/avif'];

/** A message naming the file when its declared type is not an image format we decode, else null. */
export function imageTypeProblem(name: string, type: string): string | null {
  if (ACCEPTED_IMAGE_TYPES.includes(type.toLowerCase())) return null;
  const what = type ? `a ${type} file` : 'a file of unknown type';
  return `"${name}" is ${what}, not an image: use PNG, JPEG or WebP (a transparent background works best)`;
}

/** A message when the text in the URL field cannot be an image URL, else null. */
export function imageUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text.length > 60 ? `${text.slice(0, 57)}...` : text}" is not a valid absolute URL: expected http(s)://..., data:image/... or blob:...`;
  }
  if (!['http:', 'https:', 'data:', 'blob:'].includes(url.protocol)) return `the URL scheme "${url.protocol}" is not supported; allowed: http:, https:, data:, blob:`;
  if (url.protocol === 'data:' && !/^data:image\//i.test(text)) return 'the data: URL does not hold an image (expected data:image/...)';
  return null;
}

export interface DecodedImageInfo {
  width: number;
  height: number;
  /** Every pixel fully opaque: the object has to be cut out (background removal) or used as-is. */
  opaque: boolean;
}

/** Decodes the file once (browser only); rejects with a message naming it when it is not a readable image. */
export async function decodeCheck(file: Blob, name: string): Promise<DecodedImageInfo> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`"${name}" could not be decoded as an image: the file is damaged or not really ${file.type || 'an image'}`);
  }
  try {
    return { width: bitmap.width, height: bitmap.height, opaque: isFullyOpaque(bitmap) };
  } finally {
    bitmap.close();
  }
}

/** Largest side the opacity check looks at; a transparent pixel stays below 255 when scaled down. */
const OPACITY_CHECK_SIDE = 512;

function isFullyOpaque(bitmap: ImageBitmap): boolean {
  const scale = Math.min(1, OPACITY_CHECK_SIDE / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = new OffscreenCanvas(w, h).getContext('2d');
  if (!ctx) return false; // cannot tell: no warning rather than a wrong one
  ctx.drawImage(bitmap, 0, 0, w, h);
  const data = ctx.getImageData(0, 0, w, h).data;
  for (let i = 3; i < data.length; i += 4) if (data[i]! < 255) return false;
  return true;
}

/** What the page says when an opaque photo is added, given whether the models can remove backgrounds. */
export function opaqueImageNotice(name: string, hasBackgroundRemoval: boolean): string {
  if (hasBackgroundRemoval) return `"${name}" has no transparent background: the background is removed automatically before generation.`;
  return (
    `"${name}" has no transparent background, and these models have no background-removal model. ` +
    'Use a PNG with a transparent background, or generate with "Use the image as-is" checked (the whole picture, background included, becomes the object).'
  );
}
