// Runs an ONNX graph with onnxruntime-web's WASM backend in Node (single thread).
export { runGraph, ort, type Feed } from '../../src/verify/ort-node.ts';
