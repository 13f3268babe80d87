// End-to-end: the first screen rendered at build time (issue #19; src/app/prerender.rs,
// scripts/build/postbuild.mjs). The page the server sends already holds the demo's answer; the
// app replaces it without moving anything; a visitor with a portfolio of their own is never
// shown the demo as if it were theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serveAndLaunch, screenshotDir } from './harness.mjs';

const env = serveAndLaunch();

/** A page whose WebAssembly never arrives: what a visitor sees before the app has loaded. */
async function beforeTheApp(init) {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: 'block' });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  await page.route(/\.wasm(\?|$)/, (route) => route.abort());
  await page.goto(env.server.url);
  await page.locator('#prerender').waitFor({ state: 'attached' });
  return { page, context };
}

test('the page as sent holds the demo answer, inert and without test ids', async () => {
  const html = await (await fetch(env.server.url)).text();
  const at = html.indexOf('<div id="prerender" class="prerender" inert>');
  assert.ok(at > 0, 'prerendered copy present');
  assert.equal(html.split('<div id="prerender"').length - 1, 1, 'exactly one copy');
  const copy = html.slice(at, html.indexOf('<script>', at));
  assert.match(copy, /Your largest chokepoint: <strong>[A-Z][a-z]+ supplies [\d.]+ % of the [a-z ]+ of Magnet rare earth elements/);
  assert.match(copy, /Top chokepoints/);
  assert.doesNotMatch(copy, /data-testid=/, 'the copy cannot be mistaken for the live app by tests');
});

test('before the app loads, a first visit sees the answer; a returning visitor is told it is the demo', async () => {
  const first = await beforeTheApp();
  assert.ok(await first.page.locator('#prerender .headline').isVisible(), 'headline shown');
  assert.equal(await first.page.locator('.prerender-note').isVisible(), false);
  await first.page.screenshot({ path: join(screenshotDir, 'prerender-first-visit-phone.png') });
  await first.context.close();

  const returning = await beforeTheApp(() => localStorage.setItem('chokepoint:autosave', '{}'));
  const note = returning.page.locator('.prerender-note');
  assert.ok(await note.isVisible(), 'note shown');
  assert.match(await note.innerText(), /the demo's, not yours/);
  await returning.page.screenshot({ path: join(screenshotDir, 'prerender-returning-phone.png') });
  await returning.context.close();

  const linked = await env.browser.newContext({ serviceWorkers: 'block' });
  const page = await linked.newPage();
  await page.route(/\.wasm(\?|$)/, (route) => route.abort());
  await page.goto(`${env.server.url}#/calculator&p=v1.abc`);
  assert.ok(await page.locator('.prerender-note').isVisible(), 'a share link is the visitor\'s too');
  await page.goto(`${env.server.url}#/scenarios`);
  await page.reload();
  assert.equal(await page.locator('#prerender').isVisible(), false, 'not shown on another page');
  await linked.close();
});

test('the app takes over without moving anything: the copy is gone, layout shift at most 0.02', async () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    const context = await env.browser.newContext({ viewport });
    await context.addInitScript(() => {
      window.__shifts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value);
      }).observe({ type: 'layout-shift', buffered: true });
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(env.server.url);
    await page.waitForSelector('[data-testid="app-ready"]', { timeout: 30_000 });
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    assert.equal(await page.locator('#prerender').count(), 0, 'the copy is removed');
    assert.equal(await page.getByTestId('headline').count(), 1);
    const cls = await page.evaluate(() => window.__shifts.reduce((a, b) => a + b, 0));
    assert.ok(cls <= 0.02, `cumulative layout shift ${cls.toFixed(4)} at ${viewport.width} px`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});
