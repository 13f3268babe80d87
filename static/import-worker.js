// The import Web Worker (src/app/import_worker.rs): a module worker that the app starts from a blob: loader
// importing this script (src/app/spawn.rs). It runs the pages bundle's WebAssembly, which a page of
// the Scenarios, Plan or Import has already loaded, so a visit downloads one bundle for the pages
// and both workers (issue #19). The glue and the WebAssembly are asked for at the version this
// script was asked for (its ?v=VERSION), so the service worker never mixes two builds.
const build = new URL(import.meta.url).searchParams.get('v');
const version = build ? `?v=${encodeURIComponent(build)}` : '';
const pages = await import(new URL(`./chokepoint-pages.js${version}`, import.meta.url));
await pages.default({ module_or_path: new URL(`./chokepoint-pages_bg.wasm${version}`, import.meta.url) });
pages.import_worker();
