// Trunk post_build hook (see Trunk.toml): hardens and completes the built site in Trunk's staging
// directory before it becomes dist/.
//
// S. The app's WebAssembly split in two, the first load and the pages' part (see `split` below).
// 0. The first screen, rendered at build time (src/app/prerender.rs, issue #19): the app as a
//    first-time visitor sees it on the build date goes into index.html's body, inside an inert
//    element without test ids, so the answer shows before the WebAssembly has loaded. The app
//    draws its own behind it, into #app, then removes it (src/app/mod.rs, `mount`). A small
//    inline script (allowed by its hash like the loader, step 1) hides it on other pages and
//    marks it as the demo's, not the visitor's, when an autosave or a share link is there.
// 1. Content-Security-Policy: every top-level .html page gets a <meta http-equiv> policy as its
//    first child of <head>. Inline scripts (Trunk's module loader) are allowed by their SHA-256
//    hash only; everything else must come from the page's own origin. frame-ancestors cannot be
//    set from a <meta> element: hosts send it as a header (EMBEDDING.md, docs/PRIVACY.md).
// 2. Single-file build (single-file.mjs): dist/chokepoint-offline.html, the whole app in one file.
// 3. Service worker: sw.js is written from static/sw.template.js with the list of every file of
//    the build (each with its SHA-256 and size, checked when the service worker installs) and a
//    version derived from their contents, so a returning visitor gets the whole app, lazily
//    loaded workers included, from the cache, with or without a network.
// 4. Versioned addresses: Trunk hashes the main bundle's names but not the lazily loaded ones
//    (the pages' part of the app, its loader, the start scripts). Each is asked for as
//    `NAME?v=VERSION`: the page carries the version in <meta name="chokepoint-build"> for the
//    app (src/app/spawn.rs; static/pages-start.js and the workers' start scripts pass it on to
//    the pages' part and its loader), index.html
//    asks for register-sw.js with it, and sw.js caches exactly those addresses and refuses any
//    other version, so a page of one build never runs the bundles of another.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { SINGLE_FILE, singleFile } from './single-file.mjs';

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
if (!staging) {
  console.error('postbuild: TRUNK_STAGING_DIR is not set (run through trunk build)');
  process.exit(1);
}

// S. The split (issue #19): the app's module (data-wasm-opt="0" in index.html: Trunk leaves it as
//    wasm-bindgen wrote it) is cut in two by tools/wasm-split. What the app's start reaches stays
//    in it, the first load; what only the pages' exports reach (PAGES_EXPORTS, src/main.rs) goes
//    to chokepoint-pages_bg.wasm, which imports the first one's memory, tables and code instead of
//    carrying a copy of them (static/pages-module.js instantiates it). Both are then optimised with
//    wasm-opt -Oz and index.html's features, as Trunk optimises the other bundles, and the page's
//    preload of the app's module gets the new integrity. The pages' and workers' start scripts get
//    the name of the app's glue in place of __MAIN__.
const PAGES_EXPORTS = [
  'install_views',
  'mount',
  'update',
  'unmount',
  'share_payload',
  'results_file',
  'export_chart',
  'simulation_worker',
  'import_worker',
];
const PAGES_WASM = 'chokepoint-pages_bg.wasm';

function wasmOpt() {
  const local = join(source, 'node_modules', '.bin', 'wasm-opt');
  return existsSync(local) ? local : 'wasm-opt';
}

function split() {
  const indexFile = join(staging, 'index.html');
  let html = readFileSync(indexFile, 'utf8');
  const main = html.match(/module_or_path: '\.\/(chokepoint-[0-9a-f]{12,16})_bg\.wasm'/)?.[1];
  if (!main) throw new Error("postbuild: the app's module not found in index.html");
  for (const script of ['pages-start.js', 'sim-worker.js', 'import-worker.js']) {
    const file = join(staging, script);
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('__MAIN__', main));
  }
  // A second run of the hook on the same staging directory finds the work done.
  if (existsSync(join(staging, PAGES_WASM))) return;
  const wasmFile = join(staging, `${main}_bg.wasm`);
  const metadata = JSON.parse(
    execFileSync('cargo', ['metadata', '--offline', '--format-version', '1', '--no-deps'], { cwd: source, encoding: 'utf8', maxBuffer: 64 << 20 }),
  );
  const profile = process.env.TRUNK_PROFILE === 'debug' ? 'debug' : 'release';
  const original = join(metadata.target_directory, 'wasm32-unknown-unknown', profile, 'chokepoint.wasm');
  if (!existsSync(original)) throw new Error(`postbuild: ${original} (the app's module as linked) not found`);
  const work = mkdtempSync(join(tmpdir(), 'chokepoint-split-'));
  try {
    const [primary, secondary] = [join(work, 'primary.wasm'), join(work, 'secondary.wasm')];
    execFileSync(
      'cargo',
      ['run', '--offline', '--quiet', '--release', '-p', 'wasm-split', '--', original, wasmFile, primary, secondary, PAGES_EXPORTS.join(',')],
      { cwd: source, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const sourceIndex = readFileSync(join(source, 'index.html'), 'utf8');
    const params = sourceIndex.match(/data-bin="chokepoint" [^>]*data-wasm-opt-params="([^"]*)"/)?.[1];
    if (!params) throw new Error("postbuild: the app's wasm-opt features not found in index.html");
    const features = params.split(/\s+/).filter(Boolean);
    execFileSync(wasmOpt(), ['-Oz', ...features, primary, '-o', wasmFile], { stdio: 'inherit' });
    execFileSync(wasmOpt(), ['-Oz', ...features, secondary, '-o', join(staging, PAGES_WASM)], { stdio: 'inherit' });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const integrity = `sha384-${createHash('sha384').update(readFileSync(wasmFile)).digest('base64')}`;
  const preload = new RegExp(`(<link rel="preload" href="\\./${main}_bg\\.wasm"[^>]*integrity=")[^"]+(")`);
  if (!preload.test(html)) throw new Error("postbuild: the preload of the app's module not found in index.html");
  html = html.replace(preload, `$1${integrity}$2`);
  writeFileSync(indexFile, html);
  const kb = (f) => (statSync(f).size / 1024).toFixed(0);
  console.log(`postbuild: split the app's module: ${kb(wasmFile)} KB first load, ${kb(join(staging, PAGES_WASM))} KB pages`);
}
split();

/** The policy for a page whose inline scripts hash to `hashes`; `images` adds image sources. */
export function policy(hashes, images = []) {
  const scripts = ["'self'", "'wasm-unsafe-eval'", ...hashes.map((h) => `'sha256-${h}'`)];
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ')}`,
    "style-src 'self'",
    ["img-src 'self' data: blob:", ...images].join(' '),
    "font-src 'self'",
    "connect-src 'self'",
    // Workers start from a blob: loader that imports the bundle (src/app/spawn.rs explains why).
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join('; ');
}

const inlineScript = /<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi;

function addPolicy(file) {
  let html = readFileSync(file, 'utf8');
  if (html.includes('http-equiv="Content-Security-Policy"')) return;
  const hashes = [...html.matchAll(inlineScript)].map((m) =>
    createHash('sha256').update(m[1], 'utf8').digest('base64'),
  );
  if (/\son[a-z]+\s*=/i.test(html.replace(inlineScript, ''))) {
    throw new Error(`${file}: inline event handler attributes are not allowed`);
  }
  // The embed widget shows the partner's logo, an https: URL of the partner's choosing.
  const images = file.endsWith(`${sep}embed.html`) ? ['https:'] : [];
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy(hashes, images)}" />`;
  // Right after <meta charset> (which must stay within the first 1024 bytes), before any script.
  html = /<meta charset[^>]*>/i.test(html)
    ? html.replace(/(<meta charset[^>]*>)/i, `$1\n    ${meta}`)
    : html.replace(/<head>/i, `<head>\n    ${meta}`);
  writeFileSync(file, html);
  console.log(`postbuild: ${relative(staging, file)}: CSP with ${hashes.length} inline script hash(es)`);
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The first screen for `date` (`YYYY-MM-DD`), from the native `prerender` binary. */
function firstScreen(date) {
  return execFileSync('cargo', ['run', '--offline', '--quiet', '--bin', 'prerender', '--', date], {
    cwd: source,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

// Which copy a visit gets: none on another page; on the calculator with a portfolio of the
// visitor's own (autosaved, or in a share link), the copy is marked as the demo's until the app
// has drawn theirs. Kept in sync with src/app/route.rs (routes) and src/portfolio/storage.rs (the
// autosave key); a storage error counts as "maybe theirs".
const PRERENDER_STATE = `(function () {
  var copy = document.getElementById('prerender');
  var hash = location.hash.replace(/^#\\/?/, '');
  var page = hash.split(/[&?\\/]/)[0];
  if (['scenarios', 'plan', 'methodology', 'sources', 'privacy', 'import'].indexOf(page) >= 0) {
    copy.hidden = true;
    return;
  }
  var theirs = /[&?]/.test(hash);
  try { theirs = theirs || localStorage.getItem('chokepoint:autosave') !== null; } catch (e) { theirs = true; }
  if (theirs) copy.classList.add('prerender-theirs');
})();`;

// Steps 0 and 0b leave index.html as it is when it already holds their work: a second run of the
// hook on the same staging directory (seen once in CI) must not put in a second copy.
if (!readFileSync(join(staging, 'index.html'), 'utf8').includes('<div id="prerender"')) {
  const indexFile = join(staging, 'index.html');
  const date = process.env.CHOKEPOINT_BUILD_DATE ?? new Date().toISOString().slice(0, 10);
  const screen = firstScreen(date).replace(/\sdata-testid="[^"]*"/g, '');
  if (!screen.includes('class="card headline"')) throw new Error('postbuild: the prerendered first screen has no headline');
  const copy =
    `<div id="prerender" class="prerender" inert>` +
    `<p class="prerender-note" role="status">Loading your portfolio: until it is shown, the results on this page are the demo's, not yours.</p>` +
    `${screen}</div>\n    <script>${PRERENDER_STATE}</script>`;
  const html = readFileSync(indexFile, 'utf8');
  if (!/<\/noscript>/.test(html)) throw new Error('postbuild: no <noscript> in index.html to put the first screen after');
  writeFileSync(indexFile, html.replace(/<\/noscript>/, (m) => `${m}\n    ${copy}`));
  console.log(`postbuild: index.html: first screen prerendered for ${date} (${(screen.length / 1024).toFixed(0)} KB)`);
}

// The single-file build carries its own, stricter policy (no address to load anything from).
const single = singleFile(staging);
console.log(`postbuild: ${SINGLE_FILE}: ${(single.bytes / 1e6).toFixed(1)} MB, workers: ${single.workers.join(', ')}`);

// 0b. (After the single-file build, which reads Trunk's loader as Trunk wrote it.) The app
//     starts after the first paint. Trunk's loader imports the main bundle statically and
//     preloads it from <head>, so the 1 MB of WebAssembly competes with the first paint and, in
//     Lighthouse's simulation, every request started before the largest paint counts towards it.
//     The page already shows the answer (step 0): the loader now waits for one frame to be
//     painted, then adds the same preload links (with their integrity) and imports the bundle.
if (!readFileSync(join(staging, 'index.html'), 'utf8').includes('After the first paint (scripts/build/postbuild.mjs')) {
  const indexFile = join(staging, 'index.html');
  let html = readFileSync(indexFile, 'utf8');
  const links = [];
  html = html.replace(/\s*<link rel="(modulepreload|preload)" href="(\.\/chokepoint-[0-9a-f]{12,16}(?:_bg\.wasm|\.js))"[^>]*integrity="([^"]+)"[^>]*>/g, (_, rel, href, integrity) => {
    links.push({ rel, href, integrity });
    return '';
  });
  const loader = /<script type="module">\s*import init, \* as bindings from '(\.\/chokepoint-[0-9a-f]{12,16}\.js)';\s*const wasm = await init\(\{ module_or_path: '(\.\/chokepoint-[0-9a-f]{12,16}_bg\.wasm)' \}\);([\s\S]*?)<\/script>/;
  const found = html.match(loader);
  if (links.length !== 2 || !found) throw new Error("postbuild: Trunk's loader or preload links not as expected in index.html");
  const [, js, wasmFile, rest] = found;
  const deferred = `<script type="module">
// After the first paint (scripts/build/postbuild.mjs, step 0b).
await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted, 0)));
for (const { rel, href, integrity } of ${JSON.stringify(links)}) {
  const link = document.createElement('link');
  link.rel = rel;
  link.href = href;
  link.integrity = integrity;
  link.crossOrigin = 'anonymous';
  if (rel === 'preload') { link.as = 'fetch'; link.type = 'application/wasm'; }
  document.head.append(link);
}
const bindings = await import('${js}');
const wasm = await bindings.default({ module_or_path: '${wasmFile}' });${rest}</script>`;
  writeFileSync(indexFile, html.replace(loader, () => deferred));
  console.log('postbuild: index.html: the app starts after the first paint');
}


for (const name of readdirSync(staging)) {
  if (name.endsWith('.html') && name !== SINGLE_FILE) addPolicy(join(staging, name));
}

const cached = files(staging)
  .map((f) => relative(staging, f).split(sep).join('/'))
  // The single-file build is a download for air-gapped machines, not part of the app.
  .filter((f) => f !== 'sw.js' && f !== SINGLE_FILE && !f.endsWith('.map'))
  // What partners embed (the widget, the JavaScript API) is not part of the app.
  .filter((f) => !/^(embed|chokepoint-api)/.test(f))
  .sort();
const digest = createHash('sha256');
for (const f of cached) digest.update(f).update(readFileSync(join(staging, f)));
const version = digest.digest('hex').slice(0, 16);

/**
 * Files whose names Trunk content-hashed (`style-0123456789abcdef.css`, `chokepoint-…_bg.wasm`)
 * and pages need no `?v=`: the page asks for them by those names. Trunk writes the 64-bit hash
 * in hex without leading zeros, so one build in sixteen has 15 digits (hence {12,16} in the
 * patterns of these names).
 */
const needsVersion = (f) => !/-[0-9a-f]{12,16}(_bg)?\.[a-z0-9]+$/.test(f) && !f.endsWith('.html');
const address = (f) => (needsVersion(f) ? `./${f}?v=${version}` : `./${f}`);

// The page: the version for the app, and the service worker's registration script by its
// versioned address.
const indexFile = join(staging, 'index.html');
let index = readFileSync(indexFile, 'utf8');
index = index
  .replace(/<meta charset[^>]*>/i, (m) => `${m}\n    <meta name="chokepoint-build" content="${version}" />`)
  .replace(/src="\.\/register-sw\.js"/, `src="${address('register-sw.js')}"`);
if (!index.includes(`register-sw.js?v=${version}`)) throw new Error('postbuild: register-sw.js not found in index.html');
writeFileSync(indexFile, index);

const sha256 = (f) => createHash('sha256').update(readFileSync(join(staging, f))).digest('hex');
const entry = (url, f) => ({ url, sha256: sha256(f), size: statSync(join(staging, f)).size });
const manifest = [entry('./', 'index.html'), ...cached.map((f) => entry(address(f), f))];
const template = readFileSync(join(source, 'static', 'sw.template.js'), 'utf8');
const sw = template.replace('__VERSION__', version).replace('__FILES__', JSON.stringify(manifest));
writeFileSync(join(staging, 'sw.js'), sw);
console.log(`postbuild: sw.js caches ${manifest.length} addresses, build ${version}`);
