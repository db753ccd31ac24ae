// The widget's worker entry: the pipeline worker, except that a worker named '…+no-cache' hides
// the Cache API. The element starts it that way when this context may not use Cache Storage (a
// cross-site iframe or element in a browser that blocks third-party storage throws SecurityError
// on caches.open); the engine then keeps verified model files in memory only, and the element
// says so in its status and a trellis-progress message.
// A static import on purpose: the worker must be listening (Comlink.expose) before the first
// message arrives, which a top-level `await import()` would delay. The engine looks at `caches`
// only when it loads a model, well after this module has run.
import '../../workers/pipeline.worker.ts';

if (self.name.endsWith('+no-cache')) Object.defineProperty(globalThis, 'caches', { value: undefined, configurable: true });
