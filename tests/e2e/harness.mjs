// Shared harness for the end-to-end tests: serves the release build (dist/) on 127.0.0.1 and
// launches Debian's Chromium through playwright-core. Never downloads a browser.
import { before, after } from 'node:test';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { serveStatic as serveDir } from '../../scripts/static-server.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
export const distDir = join(root, 'dist');
export const screenshotDir = join(root, 'tests', 'e2e', 'screenshots');

/**
 * Starts the server and the browser before a test file's tests and stops them after. Call at
 * the top of the file; the returned object's `server` and `browser` are set once started.
 */
export function serveAndLaunch() {
  const env = { server: undefined, browser: undefined };
  before(async () => {
    env.server = await serveStatic();
    env.browser = await launchBrowser();
    mkdirSync(screenshotDir, { recursive: true });
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * Serves `dir` on 127.0.0.1 at a free port (scripts/static-server.mjs, uncompressed and uncached
 * so that every request reaches it); resolves to { url, close, requests }, where `requests` lists
 * every request the server received as { path, at } (at = Date.now()).
 */
export function serveStatic(dir = distDir, extraHeaders = {}) {
  return serveDir(dir, { gzip: false, headers: { 'cache-control': 'no-store', ...extraHeaders } });
}

/**
 * Serves `dir` as serveStatic does, behind a switch that breaks chosen files, as a failing host
 * or network would. `fail(pattern, answer)` makes every request whose path matches the regular
 * expression `pattern` get `answer` instead of the file, until `heal()`: `{ status }` (default
 * 500), `{ body, type }` (a 200 with that body, e.g. a broken script), or `'abort'` (the
 * connection is dropped). The switch is a proxy in front of the static server, so it also breaks
 * requests from workers, which Playwright's page.route does not see in Chromium. Use it with a
 * context that blocks service workers (`serviceWorkers: 'block'`), or the offline copy answers.
 * Resolves to { url, close, requests, fail, heal }; `requests` lists every path asked for.
 */
export async function serveWithFaults(dir = distDir, extraHeaders = {}) {
  const inner = await serveStatic(dir, extraHeaders);
  const faults = [];
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(req.url);
    const fault = faults.find((f) => f.pattern.test(new URL(req.url, 'http://x').pathname));
    if (fault?.answer === 'abort') {
      req.socket.destroy();
      return;
    }
    if (fault) {
      const { status = fault.answer.body === undefined ? 500 : 200, body = 'broken on purpose', type = 'text/plain' } =
        fault.answer;
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extraHeaders }).end(body);
      return;
    }
    const upstream = httpRequest(new URL(req.url, inner.url), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    requests,
    fail: (pattern, answer = {}) => faults.push({ pattern, answer }),
    heal: () => faults.splice(0),
    close: async () => {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
      await inner.close();
    },
  };
}

/**
 * The HTTP headers of the first fenced block after the heading `heading` in the documentation
 * file `file` (relative to the repository), as an object of lower-case names to values: what
 * the documentation tells a host to send, read from the documentation itself.
 */
export function documentedHeaders(file, heading) {
  const text = readFileSync(join(root, file), 'utf8');
  const at = text.indexOf(`${heading}\n`);
  if (at < 0) throw new Error(`${file}: no heading "${heading}"`);
  const block = text.slice(at).match(/^```[^\n]*\n([\s\S]*?)^```/m);
  if (!block) throw new Error(`${file}: no fenced block after "${heading}"`);
  const headers = {};
  for (const line of block[1].split('\n').filter((l) => l.trim())) {
    const colon = line.indexOf(':');
    if (colon < 1) throw new Error(`${file}: not a header line: ${line}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Launches headless Debian Chromium with no background networking. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A first visit that opens every page: the app until its offline copy is installed and in
 * control, the Scenarios page with a simulation run (the pages' part and the simulation worker),
 * then every other page and back to the calculator. Used by the test and the benchmark of what a
 * visit transfers (tests/e2e/weight.test.mjs, scripts/bench/visit.mjs).
 */
export async function visitEveryPage(page, url) {
  await page.goto(url);
  await page.waitForSelector('[data-testid="app-ready"]', { timeout: 60_000 });
  await page.waitForSelector('html[data-offline="ready"]', { timeout: 60_000 });
  await page.getByRole('link', { name: 'Scenarios' }).click();
  await page.getByLabel('Trials').fill('20000');
  await page.getByTestId('mc-run').click();
  await page.getByTestId('mc-results').waitFor({ timeout: 60_000 });
  for (const name of ['Plan', 'Methodology', 'Sources', 'Calculator']) {
    await page.getByRole('link', { name }).first().click();
  }
  await page.getByTestId('headline').waitFor();
}

/**
 * Waits until the calculator has drawn its results and every part below them: the parts below
 * the first screen are drawn a few per task after it (src/app/later.rs), the editor's lines last.
 */
export async function calculatorDrawn(page) {
  await page.getByTestId('headline').waitFor();
  // The table and the editor come from the pages' part (src/app/components/part_views.rs).
  await page.locator('.editor-lines:not([aria-busy])').waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => !document.querySelector('.calculator .page-loading'));
}

/**
 * Scrolls to the dashboard's risk matrix and flow diagram, which the pages' part of the app
 * draws once their place comes near the viewport (src/app/components/dashboard.rs), and waits
 * for them.
 */
export async function chartsDrawn(page) {
  await page.getByTestId('charts-place').scrollIntoViewIfNeeded();
  await page.getByTestId('flow-chart').waitFor({ timeout: 30_000 });
  await page.getByTestId('export-svg-risk-matrix').waitFor();
}

/**
 * Opens a fresh page that records console errors, page errors and every request.
 * Returns { page, context, errors, requests }.
 */
export async function openPage(browser, url, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('request', (req) => requests.push(req.url()));
  await page.goto(url);
  await page.waitForSelector('[data-testid="app-ready"]', { timeout: 30_000 });
  // What lies below the first screen is drawn in the next task (src/app/later.rs): wait for it,
  // so that a test sees the page as a visitor does once it is drawn.
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"].editor-lines'));
  return { page, context, errors, requests };
}

/**
 * Opens the calculator's "Save, share, export" disclosure in the tool bar (answer-first layout,
 * issue #19) unless it is open already; its controls are hidden while it is closed.
 */
export async function openShareMenu(page) {
  const menu = page.getByTestId('share-menu');
  if (!(await menu.evaluate((details) => details.open))) await menu.locator('summary').click();
}

/**
 * Renders what the page skips while it is off screen (`content-visibility: auto` on line cards,
 * the per-material table and chart cards), so that a full-page or element screenshot shows it
 * and an accessibility audit checks it as drawn. Waits two frames for it to render.
 */
export async function renderOffscreen(page) {
  await page.evaluate(async () => {
    for (const el of document.querySelectorAll('body *')) {
      if (getComputedStyle(el).contentVisibility === 'auto') el.style.contentVisibility = 'visible';
    }
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  });
}
