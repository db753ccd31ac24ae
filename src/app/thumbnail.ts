// A small PNG of an input image for the stored results list (a full photo would cost megabytes
// of IndexedDB per result).
const THUMB_SIDE = 96;

/** null when the image cannot be read here (e.g. a URL without CORS): the list shows a placeholder. */
export async function makeThumbnail(source: File | string): Promise<Blob | null> {
  try {
    const blob = typeof source === 'string' ? await (await fetch(source)).blob() : source;
    const bitmap = await createImageBitmap(blob);
    const scale = Math.min(1, THUMB_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return await canvas.convertToBlob({ type: 'image/png' });
  } catch {
    return null;
  }
}
