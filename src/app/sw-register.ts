// Registers the service worker that vite-plugin-pwa builds (app shell precache + runtime caches),
// and reports whether the page can work offline. No service worker in the dev server.
export type OfflineState = 'unsupported' | 'dev' | 'installing' | 'ready' | 'failed';

export async function registerServiceWorker(onState: (state: OfflineState, detail?: string) => void): Promise<void> {
  // import.meta.hot exists only under the dev server (import.meta.env.DEV also follows NODE_ENV,
  // which test runners set).
  if (import.meta.hot) return onState('dev');
  if (!('serviceWorker' in navigator)) return onState('unsupported');
  try {
    const registration = await navigator.serviceWorker.register(new URL('./sw.js', location.href).href, { scope: './' });
    if (navigator.serviceWorker.controller && registration.active) return onState('ready');
    onState('installing');
    // clientsClaim in the worker makes it control this page as soon as it activates.
    navigator.serviceWorker.addEventListener('controllerchange', () => onState('ready'), { once: true });
  } catch (error) {
    onState('failed', (error as Error).message);
  }
}
