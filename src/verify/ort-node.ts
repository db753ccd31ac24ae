// onnxruntime-web's WASM backend in Node, for `verify`, the fixtures and tests.
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1;

export interface Feed {
  dtype: 'float32' | 'int64' | 'int32';
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array;
}

export async function runGraph(model: Uint8Array, feeds: Record<string, Feed>, externalData?: { path: string; data: Uint8Array }[]): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], externalData });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [k, f] of Object.entries(feeds)) inputs[k] = new ort.Tensor(f.dtype, f.data, f.dims);
    return await session.run(inputs);
  } finally {
    await session.release();
  }
}

export { ort };
