// The widget's worker entry: the pipeline worker, except that a worker named '…+no-cache' hides
// the Cache API first. The element starts it that way when this context may not use Cache
// Storage (a cross-site iframe or element in a browser that blocks third-party storage throws
// SecurityError on caches.open); the engine then keeps verified model files in memory only, and
// the element says so in its status and a trellis-progress message.
if (self.name.endsWith('+no-cache')) Object.defineProperty(globalThis, 'caches', { value: undefined, configurable: true });
await import('../../workers/pipeline.worker.ts');

export {};
