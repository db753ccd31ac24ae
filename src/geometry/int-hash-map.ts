// Open-addressing hash map from non-negative int32 keys to dense slot numbers 0..size-1.
// Used for the sparse 257³ lattice (vertex and edge ids) so that no dense grid is ever
// allocated: memory grows with the surface, not with the volume.

const EMPTY = -1;

export class IntHashMap {
  private keys: Int32Array;
  private vals: Int32Array;
  private mask: number;
  /** Number of distinct keys; values handed out are 0..size-1 in insertion order. */
  size = 0;
  /** Inserted keys in insertion order (slot number -> key). */
  keyList: Int32Array;

  constructor(expected = 1024) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Int32Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.keyList = new Int32Array(Math.max(16, expected));
  }

  private static hash(key: number): number {
    // Fibonacci-style multiplicative mix; lattice ids are highly regular.
    return Math.imul(key ^ (key >>> 15), 0x9e3779b1) >>> 0;
  }

  /** Slot number of key, or -1. */
  get(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let i = IntHashMap.hash(key) & mask;
    for (;;) {
      const k = keys[i];
      if (k === key) return this.vals[i];
      if (k === EMPTY) return -1;
      i = (i + 1) & mask;
    }
  }

  /** Slot number of key, inserting it (with the next free slot number) if absent. */
  getOrInsert(key: number): number {
    if (key < 0) throw new Error(`IntHashMap: key must be >= 0, got ${key}`);
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    const mask = this.mask;
    let i = IntHashMap.hash(key) & mask;
    for (;;) {
      const k = keys[i];
      if (k === key) return this.vals[i];
      if (k === EMPTY) {
        const v = this.size++;
        keys[i] = key;
        this.vals[i] = v;
        if (v >= this.keyList.length) {
          const nl = new Int32Array(this.keyList.length * 2);
          nl.set(this.keyList);
          this.keyList = nl;
        }
        this.keyList[v] = key;
        return v;
      }
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = oldKeys.length * 2;
    this.keys = new Int32Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j];
      if (k === EMPTY) continue;
      let i = IntHashMap.hash(k) & this.mask;
      while (this.keys[i] !== EMPTY) i = (i + 1) & this.mask;
      this.keys[i] = k;
      this.vals[i] = oldVals[j];
    }
  }
}
