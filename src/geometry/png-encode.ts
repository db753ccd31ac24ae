// PNG encoding behind one signature. The implementation is chosen when the module graph is
// resolved, not at run time: package.json's "#png-encoder-host" maps to the OffscreenCanvas
// encoder under the "browser" condition (Vite) and to pngjs everywhere else (Node, tsx, vitest),
// so pngjs and its Node built-ins never enter the browser bundle.
import { hostPngEncoder } from '#png-encoder-host';

export type PngEncoder = (rgba: Uint8Array, width: number, height: number) => Promise<Uint8Array>;

export function defaultPngEncoder(): PngEncoder {
  return hostPngEncoder;
}
