// The single-file build: the whole app (page, stylesheet, script, WebAssembly, the reference data
// inside it, and every worker bundle) in one HTML file that works when opened from disk, for
// air-gapped machines. Called by postbuild.mjs on Trunk's staging directory.
//
// A page opened from disk (file://) can load nothing by address, so: the stylesheet goes into a
// <style> element, the app module's wasm-bindgen glue into the page's module script with its
// WebAssembly and the pages' part of it as base64, and the workers' scripts (the same, with the
// worker's start call) into window.chokepointWorkerSources, from which src/app/spawn.rs
// starts each worker as a blob: module. The Content-Security-Policy allows exactly these inline parts by
// their hashes.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
/** Escapes a script's text so that it cannot close its <script> element early. */
const scriptSafe = (text) => text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

export const SINGLE_FILE = 'chokepoint-offline.html';

export function singleFile(staging) {
  const index = readFileSync(join(staging, 'index.html'), 'utf8');
  const glueName = index.match(/from '\.\/([^']+\.js)'/)?.[1];
  const wasmName = index.match(/module_or_path: '\.\/([^']+\.wasm)'/)?.[1];
  const cssName = index.match(/<link rel="stylesheet" href="\.\/([^"]+\.css)"/)?.[1];
  if (!glueName || !wasmName || !cssName) throw new Error('single-file: Trunk loader not recognised in index.html');

  // The app module's ES-module glue, its exports turned into plain functions.
  const glue = readFileSync(join(staging, glueName), 'utf8')
    .replace(/^export \{[^}]*\};?\s*$/gm, '')
    .replace(/^export function /gm, 'function ');
  if (/^\s*export\s/m.test(glue)) throw new Error('single-file: unexpected export in the main glue');
  const wasm = readFileSync(join(staging, wasmName)).toString('base64');
  const bytes = (base64) => `Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0))`;

  // The pages' part of the module (src/app/pages.rs, static/pages-module.js): instantiated into
  // the app's module once it has started; the app finds the promise of the pages' exports, the
  // app module's own, in window.chokepointPages.
  const pagesWasm = readFileSync(join(staging, 'chokepoint-pages_bg.wasm')).toString('base64');
  const pagesInto = (exports) => `WebAssembly.instantiate(${bytes(pagesWasm)}, { p: ${exports} })`;
  // The exports the app calls (src/app/browser/pages.rs).
  const pagesExports = ['install_views', 'mount', 'update', 'unmount', 'results_file', 'share_payload', 'export_chart'];
  // The simulation and import workers run the app's module with the pages' part too
  // (static/sim-worker.js): each is the same script with its own last call. The page joins them
  // when it starts, so the file holds the WebAssembly once more, not once per worker. A failed
  // start is rethrown uncaught, so the page hears of it (START_FAILED in spawn.rs).
  const workers = { 'sim-worker': 'simulation_worker', 'import-worker': 'import_worker' };
  for (const name of [...pagesExports, ...Object.values(workers)]) {
    if (!new RegExp(`^function ${name}\\(`, 'm').test(glue)) throw new Error(`single-file: the glue has no ${name}`);
  }
  for (const [bundle, call] of Object.entries(workers)) {
    workers[bundle] = `.then(() => ${call}()).catch(function(e){setTimeout(function(){throw e;});});`;
  }
  // A page opened from disk has no origin, and Chromium starts no module worker from its blob:
  // addresses: the workers are classic scripts, in which import.meta does not parse (the glue
  // reads it only when no WebAssembly is given).
  const classicGlue = glue.replace(/\bimport\.meta\.url\b/g, 'self.location.href');
  const workerStart = `__wbg_init({ module_or_path: ${bytes(wasm)} }).then((exports) => ${pagesInto('exports')})`;
  const workerSources =
    `const appWorker = ${JSON.stringify(`${classicGlue}\n${workerStart}`)};\n` +
    `window.chokepointWorkerSources = {${Object.entries(workers)
      .map(([bundle, end]) => `${JSON.stringify(bundle)}: appWorker + ${JSON.stringify(end)}`)
      .join(', ')}};\n`;

  const main = scriptSafe(
    `${glue}\n` +
      workerSources +
      `let pagesReady;\nwindow.chokepointPages = new Promise((ready) => { pagesReady = ready; });\n` +
      `const appExports = await __wbg_init({ module_or_path: ${bytes(wasm)} });\n` +
      `pagesReady(${pagesInto('appExports')}.then(() => ({ ${pagesExports.join(', ')} })));\n`,
  );
  const css = readFileSync(join(staging, cssName), 'utf8');
  const policy = [
    "default-src 'none'",
    `script-src 'wasm-unsafe-eval' ${sha256(main)}`,
    `style-src ${sha256(css)}`,
    'img-src data: blob:',
    "connect-src 'none'",
    'worker-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join('; ');
  const head = index.match(/<head>([\s\S]*?)<\/head>/i)?.[1] ?? '';
  const keep = [...head.matchAll(/<(meta (?:name|charset)[^>]*|title>[^<]*<\/title)>/gi)].map((m) => `<${m[1]}>`);
  const html = `<!doctype html>
<html lang="en">
  <head>
    ${keep.filter((t) => t.startsWith('<meta charset')).join('')}
    <meta http-equiv="Content-Security-Policy" content="${policy}" />
    ${keep.filter((t) => !t.startsWith('<meta charset')).join('\n    ')}
    <style>${css}</style>
    <script type="module">${main}</script>
  </head>
  <body>
    <noscript>Chokepoint runs in your browser and needs JavaScript and WebAssembly enabled.</noscript>
  </body>
</html>
`;
  writeFileSync(join(staging, SINGLE_FILE), html);
  return { bytes: Buffer.byteLength(html), workers: Object.keys(workers) };
}
