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

/** Decodes the file once (browser only); rejects with a message naming it when it is not a readable image. */
export async function decodeCheck(file: Blob, name: string): Promise<{ width: number; height: number }> {
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    throw new Error(`"${name}" could not be decoded as an image: the file is damaged or not really ${file.type || 'an image'}`);
  }
}
