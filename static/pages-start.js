// Loads the pages' part of the app (Scenarios, Plan, Import, Methodology, Sources) when the app
// first opens one of those pages: see src/app/pages.rs. A file, not an inline script, so that the
// strict Content-Security-Policy applies. The app reads the promise of the pages' exports from
// window.chokepointPages: they are the app module's own exports (its glue, which the page's
// loader has already started), usable once the pages' WebAssembly is instantiated into it
// (static/pages-module.js).
//
// After a failed load the app adds this script again as pages-start.js?attempt=N (a module runs
// once per address), and the loader is then imported under the same query (some browsers keep a
// failed import under its address for the life of the page). The app asks for this script at its
// build's address, pages-start.js?v=VERSION (src/app/spawn.rs), and the loader and the pages'
// WebAssembly are asked for at the same version, so that the service worker never hands a page
// another build's module (static/sw.template.js). The build writes the app module's glue name in
// place of __MAIN__ (scripts/build/postbuild.mjs).
const query = new URL(import.meta.url).search;
const build = new URL(import.meta.url).searchParams.get('v');
const version = build ? `?v=${encodeURIComponent(build)}` : '';

window.chokepointPages = (async () => {
  const app = await import(new URL('./__MAIN__.js', import.meta.url));
  const { instantiatePages } = await import(new URL(`./pages-module.js${query}`, import.meta.url));
  // Already started by the page: this is the running module's exports.
  const exports = await app.default();
  await instantiatePages(exports, new URL(`./chokepoint-pages_bg.wasm${version}`, import.meta.url));
  return app;
})();
