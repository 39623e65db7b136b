/*
 * The explorer's service worker: keeps the page working offline once it has loaded, and
 * makes it cross-origin isolated (SharedArrayBuffer, so the simulation runs on several
 * workers) on hosts that cannot set headers, by adding the isolation headers itself.
 *
 * Everything listed in offline-manifest.json (written by the build) is cached at install;
 * later builds are picked up when the page is opened online. The results-store API (api/)
 * is never cached: stored runs are only shown live.
 */
const CACHE = 'panopticon-explorer';
const MANIFEST = 'offline-manifest.json';
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const scope = new URL(self.registration.scope);

async function precache() {
  const cache = await caches.open(CACHE);
  const response = await fetch(new URL(MANIFEST, scope), { cache: 'no-store' });
  if (!response.ok) throw new Error(`offline manifest: HTTP ${response.status}`);
  const manifest = await response.clone().json();
  const cached = await cache.match(new URL(MANIFEST, scope));
  if (cached && (await cached.json()).version === manifest.version) return;
  await cache.addAll(manifest.assets.map((a) => new Request(new URL(a, scope), { cache: 'no-store' })));
  await cache.put(new URL(MANIFEST, scope), response);
}

function isolated(response) {
  if (response.type === 'opaque' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [k, v] of Object.entries(ISOLATION)) headers.set(k, v);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  return (
    (await cache.match(request, { ignoreSearch: true })) ??
    (request.mode === 'navigate' ? cache.match(scope) : undefined)
  );
}

async function handle(request) {
  const cache = await caches.open(CACHE);
  if (request.mode === 'navigate') {
    // Network first, so a new build shows at once; the cache when offline.
    try {
      const response = await fetch(request);
      if (response.ok) {
        await cache.put(scope, response.clone());
        precache().catch(() => undefined);
      }
      return isolated(response);
    } catch {
      const cached = await fromCache(request);
      if (cached) return isolated(cached);
      throw new Error('offline and not cached');
    }
  }
  const cached = await fromCache(request);
  if (cached) return isolated(cached);
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return isolated(response);
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (url.pathname.startsWith(`${scope.pathname}api/`)) return;
  event.respondWith(handle(event.request));
});
