// Chokepoint's service worker, generated at build time by scripts/build/postbuild.mjs from
// static/sw.template.js. It caches every file of one build when installed and from then on
// answers every request of the app from that cache: a returning visitor gets the full app with
// the network off, and nothing the app does after loading reaches any server. A new build
// installs beside the old one and takes over when the page asks (the "new version" notice) or
// when every tab of the old one is closed.
//
// One build, never two mixed:
// - every file is checked at install against the SHA-256 and size the build recorded; one that
//   differs (a host or proxy that altered it, a deployment caught halfway) fails the install,
//   and the previous offline copy, if any, stays in charge;
// - the lazily loaded bundles are asked for as `NAME?v=VERSION` (src/app/spawn.rs): a request of
//   another build's version (a tab still showing the old build after another tab took the
//   update) is refused with 410 rather than answered with this build's file.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = `chokepoint-${VERSION}`;

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Fetches and checks every file; only when all match is anything put in the cache.
 *
 * Each file is asked for with `cache: 'no-cache'`: the browser revalidates what its HTTP cache
 * holds with the host (a conditional request, answered 304 when the file is unchanged) and
 * downloads only what changed. The page has usually just loaded the app's files, so a first visit
 * downloads each of them once, not a second time for the offline copy (issue #19: `cache:
 * 'reload'` did, about 480 KB gzip). Whatever answers, the bytes are checked against the build's
 * SHA-256 and size below. Files of the same content (`./` and `./index.html`) are fetched once.
 */
async function install() {
  const first = new Map();
  for (const file of FILES) if (!first.has(file.sha256)) first.set(file.sha256, file);
  const checked = new Map(
    await Promise.all(
      [...first.values()].map(async (file) => {
        const response = await fetch(new Request(file.url, { cache: 'no-cache' }));
        if (!response.ok) throw new Error(`${file.url}: HTTP ${response.status}`);
        const copy = response.clone();
        const bytes = await response.arrayBuffer();
        const hash = await sha256Hex(bytes);
        if (bytes.byteLength !== file.size || hash !== file.sha256) {
          throw new Error(
            `${file.url}: ${bytes.byteLength} bytes, SHA-256 ${hash}; this build has ${file.size} bytes, SHA-256 ${file.sha256}`,
          );
        }
        return [file.sha256, copy];
      }),
    ),
  );
  const cache = await caches.open(CACHE);
  await Promise.all(FILES.map((file) => cache.put(new Request(file.url), checked.get(file.sha256).clone())));
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    install().catch(async (error) => {
      await caches.delete(CACHE);
      console.error(`Chokepoint: offline copy of build ${VERSION} not installed:`, error.message);
      throw error;
    }),
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
  const wanted = url.searchParams.get('v');
  if (request.mode !== 'navigate' && wanted !== null && wanted !== VERSION) {
    event.respondWith(
      new Response(`This file belongs to Chokepoint build ${wanted}; build ${VERSION} is installed. Reload the page.`, {
        status: 410,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      }),
    );
    return;
  }
  event.respondWith(
    (async () => {
      // Looked up without the query (a page's own parameters; the lazily loaded bundles' `v` was
      // checked above); the fragment (share links) never reaches a server or a cache.
      const hit = await (await caches.open(CACHE)).match(request, { ignoreSearch: true });
      return hit ?? fetch(request);
    })(),
  );
});
