// A cheap structural check that a graph file is an ONNX ModelProto before it reaches ORT. A file
// whose sha256 matches a manifest that was rewritten for it (or a converter bug) can still hold
// anything; ORT then fails with "protobuf parsing failed", which says nothing about which file.
// This walks the top-level protobuf fields only (the graph is one length-delimited field, skipped).
import { EngineError } from '../errors.ts';

function varint(bytes: Uint8Array, at: number): [value: number, next: number] | null {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  return null;
}

/** Why `bytes` is not an ONNX model, or null when its top level parses with a graph field. */
export function onnxModelProblem(bytes: Uint8Array): string | null {
  let at = 0;
  let hasGraph = false;
  let hasIrVersion = false;
  while (at < bytes.length) {
    const tag = varint(bytes, at);
    if (!tag) return `bad field header at byte ${at}`;
    const [key, next] = tag;
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) return `field number 0 at byte ${at}`;
    at = next;
    if (wire === 0) {
      const v = varint(bytes, at);
      if (!v) return `truncated number at byte ${at}`;
      at = v[1];
      if (field === 1) hasIrVersion = true;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else if (wire === 2) {
      const len = varint(bytes, at);
      if (!len || len[1] + len[0] > bytes.length) return `a field at byte ${at} claims ${len?.[0] ?? '?'} bytes past the end of the file`;
      at = len[1] + len[0];
      if (field === 7) hasGraph = true;
    } else {
      return `unknown field type ${wire} at byte ${at}`;
    }
  }
  if (at > bytes.length) return 'the last field runs past the end of the file';
  if (!hasIrVersion) return 'no ir_version field';
  if (!hasGraph) return 'no graph field';
  return null;
}

export function assertOnnxModel(bytes: Uint8Array, path: string): Uint8Array {
  const problem = onnxModelProblem(bytes);
  if (problem) {
    throw new EngineError('MODEL_CORRUPT', `model file ${path} is not an ONNX graph (${problem}) although its size and sha256 match the manifest: the manifest was written for a broken file; convert the model again`);
  }
  return bytes;
}
