// Chokepoint's service worker, generated at build time by scripts/build/postbuild.mjs from
// static/sw.template.js. It caches every file of one build when installed and from then on
// answers every request of the app from that cache: a returning visitor gets the full app with
// the network off, and nothing the app does after loading reaches any server. A new build
// installs beside the old one and takes over when the page asks (the "new version" notice) or
// when every tab of the old one is closed, so a page never mixes files of two builds.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = `chokepoint-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(FILES.map((f) => new Request(f, { cache: 'reload' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith('chokepoint-') && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'chokepoint:activate-update') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      // Looked up without the query (the embed mode's options); the fragment (share links)
      // never reaches a server or a cache in the first place.
      const hit = await (await caches.open(CACHE)).match(request, { ignoreSearch: true });
      return hit ?? fetch(request);
    })(),
  );
});
