// Starts the pages bundle (Scenarios, Plan, Import, Methodology, Sources) when the app first
// opens one of those pages: see src/app/pages.rs. A file, not an inline script, so that the strict
// Content-Security-Policy applies. The app reads the promise of the bundle's exports from
// window.chokepointPages.
import init, * as pages from './chokepoint-pages.js';

window.chokepointPages = init({
  module_or_path: new URL('./chokepoint-pages_bg.wasm', import.meta.url),
}).then(() => pages);
