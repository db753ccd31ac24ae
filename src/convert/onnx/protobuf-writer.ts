// A minimal protobuf wire-format writer, just enough for ONNX's ModelProto.
// Messages are kept as lists of byte chunks so multi-gigabyte initializers are referenced,
// never copied, until the caller streams them to disk.

export type Chunk = Uint8Array;

export class ProtoMessage {
  readonly chunks: Chunk[] = [];
  byteLength = 0;
  private scratch: number[] = [];

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    const bytes = Uint8Array.from(this.scratch);
    this.chunks.push(bytes);
    this.byteLength += bytes.length;
    this.scratch = [];
  }

  private pushVarint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private pushTag(field: number, wireType: number): void {
    this.pushVarint((field << 3) | wireType);
  }

  varint(field: number, value: number | bigint): this {
    this.pushTag(field, 0);
    this.pushVarint(value);
    return this;
  }

  float32(field: number, value: number): this {
    this.pushTag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.scratch.push(...b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.pushTag(field, 2);
    this.pushVarint(data.byteLength);
    if (data.byteLength < 256) {
      for (let i = 0; i < data.byteLength; i++) this.scratch.push(data[i]);
    } else {
      this.flushScratch();
      this.chunks.push(data);
      this.byteLength += data.byteLength;
    }
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, msg: ProtoMessage): this {
    msg.flushScratch();
    this.pushTag(field, 2);
    this.pushVarint(msg.byteLength);
    this.flushScratch();
    for (const c of msg.chunks) this.chunks.push(c);
    this.byteLength += msg.byteLength;
    return this;
  }

  packedVarints(field: number, values: ArrayLike<number | bigint>): this {
    const inner = new ProtoMessage();
    for (let i = 0; i < values.length; i++) inner.pushVarint(values[i]);
    inner.flushScratch();
    return this.message(field, inner);
  }

  packedFloats(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i], true);
    return this.bytes(field, b);
  }

  finish(): Chunk[] {
    this.flushScratch();
    return this.chunks;
  }

  toBytes(): Uint8Array {
    const chunks = this.finish();
    const out = new Uint8Array(this.byteLength);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.byteLength;
    }
    return out;
  }
}
