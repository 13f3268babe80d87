// Starts the pages bundle (Scenarios, Plan, Import, Methodology, Sources) when the app first
// opens one of those pages: see src/app/pages.rs. A file, not an inline script, so that the strict
// Content-Security-Policy applies. The app reads the promise of the bundle's exports from
// window.chokepointPages.
//
// After a failed load the app adds this script again as pages-start.js?attempt=N (a module runs
// once per address), and the bundle's glue is then imported under the same query (some browsers
// keep a failed import under its address for the life of the page).
const attempt = new URL(import.meta.url).search;

window.chokepointPages = import(new URL(`./chokepoint-pages.js${attempt}`, import.meta.url)).then(
  async (pages) => {
    await pages.default({ module_or_path: new URL('./chokepoint-pages_bg.wasm', import.meta.url) });
    return pages;
  },
);
