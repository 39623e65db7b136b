/**
 * Headers that make the explorer's page cross-origin isolated, so that it may share memory
 * (SharedArrayBuffer) between the Web Workers that run a simulation. Used by `panopticon
 * serve` and by the Vite dev and preview servers; the service worker adds the same ones
 * when the static site is hosted where headers cannot be set.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
});
