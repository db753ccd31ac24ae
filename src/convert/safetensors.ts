// Safetensors reader: parses the JSON header, then reads each tensor's bytes on demand from the
// file (never the whole file at once), converting F16/BF16 to float32 when asked.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { bf16ArrayToFloat32, halfArrayToFloat32 } from './half.ts';

export type SafetensorsDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const ELEMENT_BYTES: Record<SafetensorsDType, number> = {
  F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export class SafetensorsError extends Error {
  constructor(readonly file: string, message: string, readonly tensor?: string) {
    super(`${file}${tensor ? ` [${tensor}]` : ''}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

export class SafetensorsFile {
  readonly tensors = new Map<string, TensorInfo>();
  readonly metadata: Record<string, string> = {};
  private fd: number | null;
  readonly size: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
    if (this.size < 8) throw new SafetensorsError(path, `file is ${this.size} bytes, too short for a safetensors header`);
    const lenBuf = Buffer.alloc(8);
    readSync(this.fd, lenBuf, 0, 8, 0);
    const headerLen = Number(lenBuf.readBigUInt64LE(0));
    if (headerLen <= 0 || 8 + headerLen > this.size || headerLen > 100 * 1024 * 1024) {
      throw new SafetensorsError(path, `header length ${headerLen} does not fit the file (${this.size} bytes): truncated or not a safetensors file`);
    }
    const headerBuf = Buffer.alloc(headerLen);
    readSync(this.fd, headerBuf, 0, headerLen, 8);
    let header: Record<string, any>;
    try {
      header = JSON.parse(headerBuf.toString('utf8'));
    } catch (e) {
      throw new SafetensorsError(path, `header is not valid JSON (${(e as Error).message})`);
    }
    const dataStart = 8 + headerLen;
    for (const [name, info] of Object.entries(header)) {
      if (name === '__metadata__') {
        Object.assign(this.metadata, info);
        continue;
      }
      const dtype = info.dtype as SafetensorsDType;
      if (!(dtype in ELEMENT_BYTES)) throw new SafetensorsError(path, `unsupported dtype ${info.dtype}`, name);
      const shape = info.shape as number[];
      const [b, e] = info.data_offsets as [number, number];
      const numel = shape.reduce((a, s) => a * s, 1);
      if (e - b !== numel * ELEMENT_BYTES[dtype]) {
        throw new SafetensorsError(path, `byte range ${b}..${e} does not match shape [${shape}] ${dtype}`, name);
      }
      if (dataStart + e > this.size) {
        throw new SafetensorsError(path, `data ends at byte ${dataStart + e} but the file has ${this.size} bytes: truncated`, name);
      }
      this.tensors.set(name, { name, dtype, shape, begin: dataStart + b, end: dataStart + e });
    }
  }

  keys(): string[] {
    return [...this.tensors.keys()];
  }

  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new SafetensorsError(this.path, 'tensor not found', name);
    return t;
  }

  /** Raw little-endian bytes of a tensor (a fresh buffer, aligned for typed-array views). */
  readBytes(name: string): Uint8Array {
    if (this.fd === null) throw new SafetensorsError(this.path, 'file already closed', name);
    const t = this.info(name);
    const n = t.end - t.begin;
    const buf = new Uint8Array(new ArrayBuffer(n));
    let done = 0;
    while (done < n) {
      const chunk = Math.min(n - done, 1 << 30);
      const got = readSync(this.fd, buf, done, chunk, t.begin + done);
      if (got <= 0) throw new SafetensorsError(this.path, 'unexpected end of file', name);
      done += got;
    }
    return buf;
  }

  /** Tensor as float32 (F32 as is, F16/BF16/F64 converted). */
  readFloat32(name: string): Float32Array {
    const t = this.info(name);
    const bytes = this.readBytes(name);
    switch (t.dtype) {
      case 'F32': return new Float32Array(bytes.buffer);
      case 'F16': return halfArrayToFloat32(new Uint16Array(bytes.buffer));
      case 'BF16': return bf16ArrayToFloat32(new Uint16Array(bytes.buffer));
      case 'F64': return Float32Array.from(new Float64Array(bytes.buffer));
      default: throw new SafetensorsError(this.path, `expected a floating-point tensor, found ${t.dtype}`, name);
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
