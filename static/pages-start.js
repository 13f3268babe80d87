// Starts the pages bundle (Scenarios, Plan, Import, Methodology, Sources) when the app first
// opens one of those pages: see src/app/pages.rs. A file, not an inline script, so that the strict
// Content-Security-Policy applies. The app reads the promise of the bundle's exports from
// window.chokepointPages.
//
// After a failed load the app adds this script again as pages-start.js?attempt=N (a module runs
// once per address), and the bundle's glue is then imported under the same query (some browsers
// keep a failed import under its address for the life of the page). The app asks for this script
// at its build's address, pages-start.js?v=VERSION (src/app/spawn.rs), and the glue and the
// WebAssembly are asked for at the same version, so that the service worker never hands a page
// another build's bundle (static/sw.template.js).
const attempt = new URL(import.meta.url).search;
const build = new URL(import.meta.url).searchParams.get('v');
const version = build ? `?v=${encodeURIComponent(build)}` : '';

window.chokepointPages = import(new URL(`./chokepoint-pages.js${attempt}`, import.meta.url)).then(
  async (pages) => {
    await pages.default({ module_or_path: new URL(`./chokepoint-pages_bg.wasm${version}`, import.meta.url) });
    return pages;
  },
);
