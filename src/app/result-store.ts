// Finished generations kept in IndexedDB (GLB, input thumbnail, parameters, seed), so a visitor
// can come back after a reload, download a result again or re-run it with the same seed. GLBs
// can be megabytes each, so the store keeps at most RESULT_CAP_BYTES / RESULT_CAP_COUNT and
// drops the oldest results first when a new one would exceed either.

export interface StoredResult {
  id: number;
  createdAt: number;
  seed: number;
  fileName: string;
  glb: Blob;
  /** A small PNG of the (first) input image; null when it could not be drawn (e.g. a CORS URL). */
  thumbnail: Blob | null;
  endpoint: string;
  /** The fal parameters as sent, without the images. */
  params: Record<string, unknown>;
  inputLabel: string;
  modelName: string;
  /** The model folder, so a re-run uses the same models. */
  modelsFolder: string;
  timings: Record<string, number>;
}

export type NewResult = Omit<StoredResult, 'id'>;

export const RESULT_CAP_BYTES = 200 * 1024 * 1024;
export const RESULT_CAP_COUNT = 50;

const DB_NAME = 'trellis-web-results';
const STORE = 'results';

/**
 * Which stored results to delete (oldest first) so that `incoming` more bytes and one more entry
 * fit under the caps. A result larger than the cap on its own is still kept (alone): refusing to
 * keep the only copy of what the visitor just made would be worse than exceeding the cap.
 */
export function planEviction(existing: readonly { id: number; createdAt: number; bytes: number }[], incoming: number, capBytes = RESULT_CAP_BYTES, capCount = RESULT_CAP_COUNT): number[] {
  const oldestFirst = [...existing].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  let bytes = existing.reduce((s, e) => s + e.bytes, 0) + incoming;
  let count = existing.length + 1;
  const drop: number[] = [];
  for (const e of oldestFirst) {
    if (bytes <= capBytes && count <= capCount) break;
    drop.push(e.id);
    bytes -= e.bytes;
    count--;
  }
  return drop;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });
}

export class ResultStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(): Promise<ResultStore> {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
    return new ResultStore(await request(req));
  }

  /** Newest first. */
  async list(): Promise<StoredResult[]> {
    const tx = this.db.transaction(STORE, 'readonly');
    const all = await request(tx.objectStore(STORE).getAll() as IDBRequest<StoredResult[]>);
    return all.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  }

  /** Stores a result, first deleting the oldest ones the caps require; returns the new id and the deleted ids. */
  async add(result: NewResult): Promise<{ id: number; evicted: number[] }> {
    const existing = (await this.list()).map((r) => ({ id: r.id, createdAt: r.createdAt, bytes: sizeOf(r) }));
    const evicted = planEviction(existing, sizeOf(result));
    const tx = this.db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    for (const id of evicted) store.delete(id);
    const id = (await request(store.add(result))) as number;
    await done(tx);
    return { id, evicted };
  }

  async delete(id: number): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(id);
    await done(tx);
  }
}

function sizeOf(r: Pick<StoredResult, 'glb' | 'thumbnail'>): number {
  return r.glb.size + (r.thumbnail?.size ?? 0);
}
