// The one place that imports onnxruntime-web. `onnxruntime-web/webgpu` is the native WebGPU EP
// build (notes-env: the default entry's JSEP backend silently returns zeros for fp16 without
// shader-f16); the same entry runs the wasm EP, in browsers and in Node.
// First: ORT's bundled emscripten module binds console.* when it is evaluated, so the tap that
// lets placement.ts read ORT's log must be in place before the import below.
import './ort-log-tap.ts';
import * as ort from 'onnxruntime-web/webgpu';

export { ort };

export type OrtBackend = 'webgpu' | 'wasm';

export interface WasmSetup {
  /** Absolute URL (or path) of the folder holding ORT's .wasm/.mjs files. */
  wasmPaths?: string;
  numThreads?: number;
}

let configured = false;

/** Sets wasm paths/threads once, before the first session (ORT reads them at init). */
export function configureOrt(setup: WasmSetup = {}): void {
  if (setup.wasmPaths) ort.env.wasm.wasmPaths = setup.wasmPaths;
  if (configured) return;
  const isNode = typeof process !== 'undefined' && Boolean(process.versions?.node);
  // Node: a single thread (tests/CLI). Browsers: wasm threads need SharedArrayBuffer, i.e. a
  // cross-origin isolated page; otherwise ORT would warn and fall back to one thread anyway.
  const isolated = Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);
  ort.env.wasm.numThreads = setup.numThreads ?? (isNode || !isolated ? 1 : Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1)));
  configured = true;
}
