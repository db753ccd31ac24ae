// The page's view of the engine's model store (Cache API, src/engine/model-store/cache-api-store.ts):
// what is stored per model folder, deleting it, and checking every stored file against the
// manifest's sha256 (a damaged entry is deleted so the next load fetches it again). Reading the
// store from the page is safe: the worker and the page share the origin's Cache Storage.
import { MODEL_CACHE_NAME } from '../engine/model-store/cache-api-store.ts';
import { sha256Hex } from '../engine/model-store/verify-bytes.ts';
import { COMPONENT_NAMES, resolveModelFile, type ManifestV1 } from '../models/manifest.ts';

export interface CachedFolder {
  /** The folder URL (ends with '/'). */
  folder: string;
  files: number;
  bytes: number;
}

/** Groups store keys (file URL + ?sha256=...) by folder; pure, for tests. */
export function groupByFolder(entries: { url: string; bytes: number }[]): CachedFolder[] {
  const folders = new Map<string, CachedFolder>();
  for (const { url, bytes } of entries) {
    const u = new URL(url);
    u.search = '';
    const folder = u.href.slice(0, u.href.lastIndexOf('/') + 1);
    const f = folders.get(folder) ?? { folder, files: 0, bytes: 0 };
    f.files++;
    f.bytes += bytes;
    folders.set(folder, f);
  }
  return [...folders.values()].sort((a, b) => a.folder.localeCompare(b.folder));
}

export function cacheAvailable(): boolean {
  return typeof caches !== 'undefined';
}

export async function listCachedModels(): Promise<CachedFolder[]> {
  if (!cacheAvailable() || !(await caches.has(MODEL_CACHE_NAME))) return [];
  const cache = await caches.open(MODEL_CACHE_NAME);
  const entries: { url: string; bytes: number }[] = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    const length = Number(response?.headers.get('content-length'));
    entries.push({ url: request.url, bytes: Number.isFinite(length) && length >= 0 ? length : (await response!.clone().arrayBuffer()).byteLength });
  }
  return groupByFolder(entries);
}

/** Deletes every stored file of one folder (or of all folders when none is given); returns how many. */
export async function deleteCachedModels(folder?: string): Promise<number> {
  if (!cacheAvailable()) return 0;
  if (folder === undefined) {
    const n = (await listCachedModels()).reduce((s, f) => s + f.files, 0);
    await caches.delete(MODEL_CACHE_NAME);
    return n;
  }
  const cache = await caches.open(MODEL_CACHE_NAME);
  let n = 0;
  for (const request of await cache.keys()) {
    const u = new URL(request.url);
    u.search = '';
    if (u.href.startsWith(folder) && !u.href.slice(folder.length).includes('/')) {
      await cache.delete(request);
      n++;
    }
  }
  return n;
}

export interface VerifyReport {
  ok: string[];
  missing: string[];
  /** Files whose stored bytes had the wrong size or hash; they were deleted. */
  removed: string[];
}

/** Checks each file of the manifest in the store (size + sha256); deletes damaged entries. */
export async function verifyCachedModels(manifest: ManifestV1, manifestUrl: string): Promise<VerifyReport> {
  const report: VerifyReport = { ok: [], missing: [], removed: [] };
  if (!cacheAvailable()) return report;
  const cache = await caches.open(MODEL_CACHE_NAME);
  for (const name of COMPONENT_NAMES) {
    for (const file of manifest.components[name]?.files ?? []) {
      const key = new URL(resolveModelFile(manifestUrl, file));
      key.searchParams.set('sha256', file.sha256.toLowerCase());
      const hit = await cache.match(key.href);
      if (!hit) {
        report.missing.push(file.path);
        continue;
      }
      const data = new Uint8Array(await hit.arrayBuffer());
      if (data.byteLength === file.size && (await sha256Hex(data)) === file.sha256.toLowerCase()) report.ok.push(file.path);
      else {
        await cache.delete(key.href);
        report.removed.push(file.path);
      }
    }
  }
  return report;
}

export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return null;
  const e = await navigator.storage.estimate();
  return { usage: e.usage ?? 0, quota: e.quota ?? 0 };
}
