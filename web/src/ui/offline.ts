/**
 * Registers the service worker (web/public/sw.js) that keeps the explorer working offline
 * and supplies the isolation headers where the host does not. On such a host the first
 * visit is not isolated yet: the page reloads once, when the worker has taken control.
 */
const RELOAD_FLAG = 'panopticon-isolation-reload';

export function registerOfflineWorker(): void {
  // Not under the dev server (hot reloading), whatever NODE_ENV the build ran with.
  if (import.meta.hot || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('./sw.js', { scope: './' }).then(
    () => {
      if (globalThis.crossOriginIsolated || sessionStorage.getItem(RELOAD_FLAG)) return;
      const reload = (): void => {
        sessionStorage.setItem(RELOAD_FLAG, '1');
        location.reload();
      };
      if (navigator.serviceWorker.controller) reload();
      else navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
    },
    (e: unknown) => console.warn('offline support is unavailable:', e),
  );
}
