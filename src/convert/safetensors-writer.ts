// Writes safetensors files tensor by tensor, so a multi-gigabyte random checkpoint never has to
// sit in memory at once.

import { closeSync, openSync, writeSync } from 'node:fs';

export interface TensorSpec {
  name: string;
  dtype: 'F32' | 'F16';
  shape: number[];
}

/**
 * Write a safetensors file. `fill(spec)` is called once per tensor in order and returns its
 * little-endian bytes.
 */
export function writeSafetensors(
  path: string,
  specs: TensorSpec[],
  fill: (spec: TensorSpec) => Uint8Array,
  metadata: Record<string, string> = {},
): number {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const s of specs) {
    const bytes = s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'F32' ? 4 : 2);
    header[s.name] = { dtype: s.dtype, shape: s.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // The format recommends an 8-byte aligned data start; pad the header with spaces.
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.length));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, len);
    writeSync(fd, headerBytes);
    for (const s of specs) {
      const data = fill(s);
      const expected = s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'F32' ? 4 : 2);
      if (data.byteLength !== expected) throw new Error(`${path}: tensor ${s.name} filled with ${data.byteLength} bytes, expected ${expected}`);
      let done = 0;
      while (done < data.byteLength) done += writeSync(fd, data, done, data.byteLength - done);
    }
  } finally {
    closeSync(fd);
  }
  return 8 + headerBytes.length + offset;
}
