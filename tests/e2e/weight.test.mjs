// What a first visit transfers, served as a static host serves the build (scripts/static-server.mjs
// with its defaults: gzip, a validator and 304 answers to conditional requests). The offline copy's
// install asks for every file of the build while the page is loading the same files; it must
// revalidate them, not download them a second time (static/sw.template.js, issue #19).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distDir, launchBrowser, visitEveryPage } from './harness.mjs';
import { serveStatic } from '../../scripts/static-server.mjs';

test('a first visit that opens every page downloads each file once', async (t) => {
  const server = await serveStatic(distDir);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await visitEveryPage(page, server.url);

    const sent = new Map();
    for (const r of server.requests.filter((r) => r.status === 200)) {
      const path = new URL(r.path, 'http://x').pathname;
      sent.set(path, [...(sent.get(path) ?? []), r.bytes]);
    }
    const twice = [...sent].filter(([, bodies]) => bodies.length > 1).map(([path]) => path);
    assert.deepEqual(twice, [], 'files whose body the host sent more than once');
    // The install did ask for the files the page had loaded, and was answered 304.
    const revalidated = server.requests.filter((r) => r.status === 304).map((r) => new URL(r.path, 'http://x').pathname);
    for (const file of ['/register-sw.js', '/']) assert.ok(revalidated.includes(file), `${file} revalidated, not sent again`);
    assert.ok(revalidated.some((p) => /^\/chokepoint-[0-9a-f]{12,16}_bg\.wasm$/.test(p)), 'the main bundle revalidated, not sent again');
    // Every file of the build the visit needs was sent: the app's module and its pages' part among them.
    assert.ok([...sent.keys()].some((p) => p === '/chokepoint-pages_bg.wasm'), 'the pages\' part was sent');
    const total = [...sent.values()].flat().reduce((s, n) => s + n, 0);
    t.diagnostic(`a first visit that opens every page: ${sent.size} files, ${(total / 1000).toFixed(1)} KB (gzip bodies), ${revalidated.length} answered 304`);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
});
