// Validation and hashing of sparse voxel coordinates [N,4] = (batch, x, y, z), the layout of
// TRELLIS's SparseTensor.coords. Index tensors handed to the ONNX graphs are int32: ONNX Gather
// accepts int32 and int64 indices, int32 halves the memory of the large neighbour tables
// (a [1.28 M,27] table is 138 MB instead of 276 MB) and is WGSL's native integer width on the
// WebGPU EP (int64 there is emulated). Every index input of the sparse graphs is int32.

/** Coordinates of one axis must lie in [0, COORD_LIMIT): three axes pack into 30 bits. */
export const COORD_LIMIT = 1024;

export class SparseCoordsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SparseCoordsError';
  }
}

/** Throws if coords is not a valid [n,4] table of non-negative, in-range integers. */
export function checkCoords(coords: Int32Array, n: number, what = 'coords'): void {
  if (!Number.isInteger(n) || n < 0) throw new SparseCoordsError(`${what}: row count ${n} is not a non-negative integer`);
  if (coords.length !== n * 4) throw new SparseCoordsError(`${what}: expected ${n}x4 = ${n * 4} values, got ${coords.length}`);
  for (let i = 0; i < n; i++) {
    const b = coords[i * 4];
    if (b < 0) throw new SparseCoordsError(`${what}: row ${i} has negative batch index ${b}`);
    for (let a = 1; a < 4; a++) {
      const v = coords[i * 4 + a];
      if (v < 0 || v >= COORD_LIMIT) {
        throw new SparseCoordsError(`${what}: row ${i} column ${a} = ${v} is outside [0, ${COORD_LIMIT})`);
      }
    }
  }
}

function packXYZ(x: number, y: number, z: number): number {
  return (x << 20) | (y << 10) | z;
}

/**
 * Open-addressing hash from (b,x,y,z) to row number. Keys are the packed xyz (30 bits) plus the
 * batch index, so no dense grid is allocated: memory follows N, not the volume.
 */
export class CoordIndex {
  private readonly keyXYZ: Int32Array;
  private readonly keyB: Int32Array;
  private readonly rows: Int32Array;
  private readonly mask: number;

  constructor(coords: Int32Array, readonly n: number) {
    checkCoords(coords, n);
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.mask = cap - 1;
    this.keyXYZ = new Int32Array(cap).fill(-1);
    this.keyB = new Int32Array(cap);
    this.rows = new Int32Array(cap);
    for (let i = 0; i < n; i++) {
      const b = coords[i * 4];
      const k = packXYZ(coords[i * 4 + 1], coords[i * 4 + 2], coords[i * 4 + 3]);
      let s = this.slot(b, k);
      for (;;) {
        const kk = this.keyXYZ[s];
        if (kk === -1) break;
        if (kk === k && this.keyB[s] === b) {
          throw new SparseCoordsError(`coords: rows ${this.rows[s]} and ${i} are the same voxel (${b},${coords[i * 4 + 1]},${coords[i * 4 + 2]},${coords[i * 4 + 3]})`);
        }
        s = (s + 1) & this.mask;
      }
      this.keyXYZ[s] = k;
      this.keyB[s] = b;
      this.rows[s] = i;
    }
  }

  private slot(b: number, k: number): number {
    const h = Math.imul(k ^ Math.imul(b, 0x27d4eb2d) ^ (k >>> 15), 0x9e3779b1);
    return (h ^ (h >>> 16)) & this.mask;
  }

  /** Row of voxel (b,x,y,z), or -1 if it is not active (out-of-range coordinates are inactive). */
  get(b: number, x: number, y: number, z: number): number {
    if (x < 0 || y < 0 || z < 0 || x >= COORD_LIMIT || y >= COORD_LIMIT || z >= COORD_LIMIT) return -1;
    const k = packXYZ(x, y, z);
    let s = this.slot(b, k);
    for (;;) {
      const kk = this.keyXYZ[s];
      if (kk === -1) return -1;
      if (kk === k && this.keyB[s] === b) return this.rows[s];
      s = (s + 1) & this.mask;
    }
  }
}
