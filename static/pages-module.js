// The pages' WebAssembly (chokepoint-pages_bg.wasm): the part of the app's module that only the
// pages (Scenarios, Plan, Import, Methodology, Sources, the templates, the world map), the workers
// and the results files use. The build splits it off the app's module (tools/wasm-split,
// scripts/build/postbuild.mjs) so that the first load does not carry it, and it carries nothing
// the app's module has: it runs in that module's memory, with its tables and its code, which it
// imports from the module's exports. Once it is instantiated, the app module's exports of the
// pages (mount, update, simulation_worker, ...) work; called before, they trap.
//
// Imported by static/pages-start.js (the page) and the workers' start scripts, each with its
// build's ?v=VERSION.

/** Instantiates the pages' module at `url` into the app module whose exports are `app`, once. */
export function instantiatePages(app, url) {
  let done = instantiated.get(app);
  if (!done) {
    done = load(app, url);
    instantiated.set(app, done);
    // A failed load may be tried again (src/app/browser/pages.rs asks again after a failure).
    done.catch(() => instantiated.delete(app));
  }
  return done;
}

/** Instantiating twice would write the module's data into memory again: one load per app module. */
const instantiated = new WeakMap();

async function load(app, url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const imports = { p: app };
  if (response.headers.get('Content-Type')?.split(';')[0].trim() === 'application/wasm') {
    await WebAssembly.instantiateStreaming(response, imports);
  } else {
    await WebAssembly.instantiate(await response.arrayBuffer(), imports);
  }
}
