// End-to-end: the offline copy never mixes two builds (issue #16, defect 7). Every bundle the
// page loads is asked for at an address of its build (content-hashed by Trunk, or `?v=VERSION`),
// sw.js caches exactly those addresses with each file's SHA-256 and size, refuses to install
// when a file differs, and refuses to hand a page another build's bundles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distDir, serveAndLaunch, serveStatic } from './harness.mjs';

const env = serveAndLaunch();

/** The build's version and file list, as sw.js records them. */
function serviceWorker(dir = distDir) {
  const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
  const version = sw.match(/const VERSION = '([0-9a-f]{16})';/)?.[1];
  const files = JSON.parse(sw.match(/const FILES = (\[[\s\S]*?\]);/)?.[1] ?? 'null');
  assert.ok(version && Array.isArray(files), 'sw.js records a version and a file list');
  return { version, files };
}

/** Names Trunk content-hashed, which need no version. */
const hashed = (name) => /-[0-9a-f]{12,16}(_bg)?\.[a-z0-9]+$/.test(name);
/** The bundles the app loads lazily (src/app/pages.rs, src/app/spawn.rs) and their start scripts. */
const LAZY = ['pages-start.js', 'pages-module.js', 'chokepoint-pages_bg.wasm', 'sim-worker.js', 'import-worker.js', 'register-sw.js'];

test('every address the page, the start scripts and sw.js use carries the build version; sw.js records each file\'s hash and size', () => {
  const { version, files } = serviceWorker();
  const index = readFileSync(join(distDir, 'index.html'), 'utf8');
  assert.match(index, new RegExp(`<meta name="chokepoint-build" content="${version}" />`));
  // The page's own references: content-hashed names, or this build's version.
  // The loader asks for the main bundle after the first paint (scripts/build/postbuild.mjs, step
  // 0b): its preload links are data ("href":"./…") and the glue a dynamic import('./…').
  const refs = [...index.matchAll(/(?:src|href)="\.\/([^"]+)"|"href":"\.\/([^"]+)"|import\('\.\/([^']+)'\)|module_or_path: '\.\/([^']+)'/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]);
  assert.ok(refs.length >= 5, refs.join(', '));
  for (const ref of refs) {
    const [name, query] = ref.split('?');
    if (hashed(name)) continue;
    assert.equal(query, `v=${version}`, `index.html loads ${ref} without this build's version`);
  }
  // The pages' start script asks for its loader (under its own query: version and attempt) and
  // the pages' WebAssembly at the version it was itself asked for (the next test sees the
  // requests), never at a bare address, and for the app's glue by its content-hashed name, which
  // the build wrote in.
  const start = readFileSync(join(distDir, 'pages-start.js'), 'utf8');
  const addresses = [...start.matchAll(/\.\/(?:chokepoint|pages-module)[^'`)]*/g)].map((m) => m[0]);
  assert.equal(addresses.length, 3, addresses.join(', '));
  assert.match(addresses[0], /^\.\/chokepoint-[0-9a-f]{12,16}\.js$/);
  assert.deepEqual(addresses.slice(1), ['./pages-module.js${query}', './chokepoint-pages_bg.wasm${version}']);
  assert.ok(index.includes(addresses[0].slice(2)), 'the app\'s glue the page loads');
  // sw.js: each address is a file of dist/ with the recorded hash and size, and every file that
  // is not content-hashed (and not a page) carries the version.
  const urls = files.map((f) => f.url);
  for (const file of files) {
    const [path, query] = file.url.replace(/^\.\//, '').split('?');
    const name = path === '' ? 'index.html' : path;
    const bytes = readFileSync(join(distDir, name));
    assert.equal(bytes.length, file.size, `${file.url}: size`);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), file.sha256, `${file.url}: SHA-256`);
    if (!hashed(name) && !name.endsWith('.html')) assert.equal(query, `v=${version}`, `${file.url} is not versioned`);
    // Content-hashed files and pages at the very address the page asks for them.
    else assert.equal(query, undefined, `${file.url}: the page asks for it without a query`);
  }
  for (const name of LAZY) assert.ok(urls.includes(`./${name}?v=${version}`), `sw.js does not cache ./${name}?v=${version}`);
  // Nothing the app loads is missing from the list (the embed and API files, the single-file
  // build and sw.js itself are not part of the app).
  const app = readdirSync(distDir).filter((f) => !/^(embed|chokepoint-api|chokepoint-offline|sw\.js|screenshots)/.test(f) && !f.endsWith('.map'));
  for (const name of app) assert.ok(urls.some((u) => u.replace(/\?.*$/, '') === `./${name}`), `sw.js does not cache ${name}`);
});

test('the app asks for every lazily loaded bundle at this build\'s version', async () => {
  const { version } = serviceWorker();
  const context = await env.browser.newContext();
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  await page.goto(env.server.url);
  await page.waitForSelector('html[data-offline="ready"]', { timeout: 60_000 });
  await page.getByRole('link', { name: 'Scenarios' }).click();
  await page.getByLabel('Trials').fill('2000');
  await page.getByTestId('mc-run').click();
  await page.getByTestId('mc-results').waitFor({ timeout: 60_000 });
  const lazy = requests
    .map((u) => new URL(u))
    .filter((u) => u.protocol.startsWith('http') && /\.(js|wasm)$/.test(u.pathname) && !hashed(u.pathname));
  for (const name of ['pages-start.js', 'pages-module.js', 'chokepoint-pages_bg.wasm', 'sim-worker.js']) {
    assert.ok(lazy.some((u) => u.pathname.endsWith(`/${name}`)), `${name} was not requested`);
  }
  for (const u of lazy) {
    if (u.pathname.endsWith('/sw.js')) continue;
    assert.equal(u.searchParams.get('v'), version, `${u.pathname}${u.search} without this build's version`);
  }
  // Another build's bundle is refused, not answered with this build's file.
  const status = (path) => page.evaluate(async (p) => (await fetch(p)).status, path);
  assert.equal(await status(`./sim-worker.js?v=${version}`), 200);
  assert.equal(await status('./sim-worker.js?v=0123456789abcdef'), 410);
  await context.close();
});

test('a file that does not match the build makes the service worker\'s install fail: nothing cached, nothing activated', async () => {
  // The release build with one lazily loaded bundle altered, as a proxy or a half-finished
  // deployment would serve it: the page still opens (the bundle loads later).
  const dir = mkdtempSync(join(tmpdir(), 'chokepoint-tampered-'));
  cpSync(realpathSync(distDir), dir, { recursive: true, filter: (src) => !src.includes('screenshots') });
  assert.ok(existsSync(join(dir, 'sim-worker.js')));
  appendFileSync(join(dir, 'sim-worker.js'), '\n// altered\n');
  const server = await serveStatic(dir);
  const context = await env.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('[data-testid="app-ready"]', { timeout: 30_000 });
    await page.waitForSelector('html[data-offline="failed"]', { timeout: 60_000 });
    const state = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return {
        active: Boolean(registration?.active),
        controller: Boolean(navigator.serviceWorker.controller),
        caches: (await caches.keys()).filter((k) => k.startsWith('chokepoint-')),
      };
    });
    assert.deepEqual(state, { active: false, controller: false, caches: [] });
    // The unaltered build installs from the same browser.
    const good = await context.newPage();
    await good.goto(env.server.url);
    await good.waitForSelector('html[data-offline="ready"]', { timeout: 60_000 });
  } finally {
    await context.close();
    await server.close();
  }
});
