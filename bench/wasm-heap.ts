// Peak wasm heap of this process: records every WebAssembly.Memory created after this module is
// evaluated (a wasm memory only grows, so its size at the end is its high-water mark). Import it
// before onnxruntime-web is loaded, so ORT's heap is created through the hook.
const memories: WebAssembly.Memory[] = [];
const NativeMemory = WebAssembly.Memory;
function TrackedMemory(this: unknown, d: WebAssembly.MemoryDescriptor) {
  const m = new NativeMemory(d);
  memories.push(m);
  return m;
}
TrackedMemory.prototype = NativeMemory.prototype;
(WebAssembly as { Memory: unknown }).Memory = TrackedMemory;

export const peakWasmHeapBytes = (): number => Math.max(0, ...memories.map((m) => m.buffer.byteLength));
