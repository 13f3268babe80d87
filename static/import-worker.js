// The import Web Worker (src/app/import_worker.rs): a module worker that the app starts from a blob:
// loader importing this script (src/app/spawn.rs). It runs the app's module (whose start does
// nothing in a worker) with the pages' part instantiated into it (static/pages-module.js): the
// same files the page has loaded, so a visit downloads them once for the page and both workers
// (issue #19). The pages' files are asked for at the version this script was asked for (its
// ?v=VERSION), so the service worker never mixes two builds; the app module's files carry their
// content hash in their names. The build writes the app module's glue name in place of __MAIN__
// (scripts/build/postbuild.mjs).
const build = new URL(import.meta.url).searchParams.get('v');
const version = build ? `?v=${encodeURIComponent(build)}` : '';
const app = await import(new URL('./__MAIN__.js', import.meta.url));
const { instantiatePages } = await import(new URL(`./pages-module.js${version}`, import.meta.url));
const exports = await app.default({ module_or_path: new URL('./__MAIN___bg.wasm', import.meta.url) });
await instantiatePages(exports, new URL(`./chokepoint-pages_bg.wasm${version}`, import.meta.url));
app.import_worker();
