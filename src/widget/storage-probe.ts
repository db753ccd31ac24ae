// Whether this context may use Cache Storage (cross-site embeds may be refused with SecurityError).
export async function cacheStorageUsable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (typeof caches === 'undefined') return { ok: false, reason: 'this context has no Cache API' };
  try {
    await caches.open('trellis-web-probe');
    await caches.delete('trellis-web-probe');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

export const NO_CACHE_NOTICE = 'this page may not store data for the embedded generator (the browser blocks third-party storage): model files are downloaded again on every visit';
