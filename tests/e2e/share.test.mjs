// End-to-end: share links, autosave, saved portfolios, JSON import and every export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { openPage, serveAndLaunch, openShareMenu, calculatorDrawn, chartsDrawn } from './harness.mjs';

const AUTOSAVE = 'chokepoint:autosave';
const env = serveAndLaunch();


/** The autosaved portfolio of the page (the envelope's `portfolio`). */
async function autosaved(page) {
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null')?.portfolio, AUTOSAVE);
}

/** Waits until the autosave holds a first line labelled `label`. */
async function waitForLabel(page, label) {
  await page.waitForFunction(
    ([key, label]) => JSON.parse(localStorage.getItem(key) ?? 'null')?.portfolio?.lines?.[0]?.label === label,
    [AUTOSAVE, label],
  );
}

function labelField(page) {
  return page.getByTestId('line-editor').first().getByLabel('Label (part, product or supplier)');
}

/** Clicks `testid` and returns the downloaded file's name and bytes. */
async function download(page, testid) {
  await openShareMenu(page);
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: await readFile(path) };
}

/** Writes `contents` to a fresh temporary file named `name` and picks it in the JSON file input. */
async function openFile(page, name, contents) {
  const file = join(await mkdtemp(join(tmpdir(), 'chokepoint-')), name);
  await writeFile(file, contents);
  await openShareMenu(page);
  await page.getByTestId('open-json').setInputFiles(file);
}

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else if (c !== '\r') field += c;
  }
  return rows;
}

test('a share link opened in a fresh browser context restores the exact portfolio, as one undoable step', async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await labelField(page).fill('Shared magnets «ü» & co');
  await waitForLabel(page, 'Shared magnets «ü» & co');
  const original = await autosaved(page);
  await openShareMenu(page);
  await page.getByTestId('share-link').click();
  const url = await page.getByTestId('share-url').inputValue();
  assert.match(url, /#\/calculator&p=v1\.[A-Za-z0-9_-]+$/);
  assert.ok(!new URL(url).search, 'nothing in the query string');
  await context.close();

  const fresh = await openPage(env.browser, url);
  await waitForLabel(fresh.page, 'Shared magnets «ü» & co');
  assert.deepEqual(await autosaved(fresh.page), original);
  assert.equal(await labelField(fresh.page).inputValue(), 'Shared magnets «ü» & co');
  assert.doesNotMatch(await fresh.page.evaluate(() => location.hash), /p=/, 'payload removed from the address bar');
  // One undoable step: Undo goes back to the demo.
  const undo = fresh.page.getByRole('button', { name: 'Undo' });
  assert.equal(await undo.isEnabled(), true);
  await undo.click();
  assert.notEqual(await labelField(fresh.page).inputValue(), 'Shared magnets «ü» & co');
  assert.deepEqual(errors, []);
  assert.deepEqual(fresh.errors, []);
  await fresh.context.close();
});

test('a damaged share link says so and keeps the app working', async () => {
  const { page, context, errors } = await openPage(env.browser, `${env.server.url}#/calculator&p=v1.AAAA`);
  const notice = page.getByTestId('app-notice');
  await notice.waitFor();
  assert.match(await notice.innerText(), /damaged/);
  await calculatorDrawn(page);
  assert.deepEqual(errors, []);
  await context.close();
});

// Issue #16: 'v1.' + base64url(deflate('{"schema_version":1,"lines":[' + '{},' x 1,398,087 +
// '{}]}')), about 5,500 characters, inflated to 1.4 million lines and froze the tab.
test('a share link over the line limit is refused naming the limit, and the autosave is kept', async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await labelField(page).fill('Kept past a hostile link');
  await waitForLabel(page, 'Kept past a hostile link');
  const json = '{"schema_version":1,"lines":[' + '{},'.repeat(1_398_087) + '{}]}';
  const payload = `v1.${deflateRawSync(json, { level: 9 }).toString('base64url')}`;
  assert.ok(payload.length < 7000, `${payload.length} characters`);
  await page.goto(`${env.server.url}#/calculator&p=${payload}`);
  const notice = page.getByTestId('app-notice');
  await notice.waitFor();
  assert.match(await notice.innerText(), /1\s398\s088 lines, over the limit of 5\s000/);
  assert.equal(await labelField(page).inputValue(), 'Kept past a hostile link');
  assert.equal((await autosaved(page)).lines[0].label, 'Kept past a hostile link');
  await page.reload();
  await page.waitForSelector('[data-testid="app-ready"]');
  assert.equal(await labelField(page).inputValue(), 'Kept past a hostile link');
  assert.deepEqual(errors, []);
  await context.close();
});

test('autosave survives a reload', async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await labelField(page).fill('Kept across reloads');
  await waitForLabel(page, 'Kept across reloads');
  await page.reload();
  await page.waitForSelector('[data-testid="app-ready"]');
  assert.equal(await labelField(page).inputValue(), 'Kept across reloads');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a corrupt storage entry is set aside with a message, and the app still works', async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await calculatorDrawn(page);
  await page.evaluate((key) => localStorage.setItem(key, '{"storage_version": 1, "portfolio": [tru'), AUTOSAVE);
  await page.reload();
  const notice = page.getByTestId('app-notice');
  await notice.waitFor();
  assert.match(await notice.innerText(), /could not be read.*kept, unchanged/s);
  const kept = await page.evaluate(() => localStorage.getItem('chokepoint:unreadable:chokepoint:autosave'));
  assert.equal(kept, '{"storage_version": 1, "portfolio": [tru');
  await calculatorDrawn(page);
  await labelField(page).fill('Works after corruption');
  await waitForLabel(page, 'Works after corruption');
  assert.deepEqual(errors, []);
  await context.close();
});

test('saved portfolios: save as, open, rename, delete', async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await labelField(page).fill('Saved version');
  await openShareMenu(page);
  await page.getByTestId('save-name').fill('Q3 plan');
  await page.getByTestId('save-as').click();
  await page.getByTestId('saved-item').filter({ hasText: 'Q3 plan' }).waitFor();
  await labelField(page).fill('Edited after saving');
  await page.getByRole('button', { name: 'Open Q3 plan' }).click();
  assert.equal(await labelField(page).inputValue(), 'Saved version');
  // Same name again is refused, never overwritten.
  await page.getByTestId('save-name').fill('Q3 plan');
  await page.getByTestId('save-as').click();
  assert.match(await page.getByTestId('share-message').innerText(), /already saved/);
  await page.getByLabel('New name for Q3 plan').fill('Q4 plan');
  await page.getByRole('button', { name: 'Rename Q3 plan' }).click();
  await page.getByTestId('saved-item').filter({ hasText: 'Q4 plan' }).waitFor();
  await page.getByRole('button', { name: 'Delete Q4 plan' }).click();
  await page.getByTestId('saved-item').first().waitFor({ state: 'detached' }).catch(() => {});
  assert.equal(await page.getByTestId('saved-item').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('every export downloads a well-formed file, and the JSON re-imports identically', async () => {
  const { page, context, errors, requests } = await openPage(env.browser, env.server.url);
  await calculatorDrawn(page);
  // The results files are written by the lazily loaded pages' part of the app, which the offline copy
  // serves once installed.
  await page.waitForSelector('html[data-offline="ready"]', { timeout: 60_000 });
  const afterLoad = requests.length;
  const mark = Date.now();
  await labelField(page).fill('Exported, "quoted", label');
  await waitForLabel(page, 'Exported, "quoted", label');
  const original = await autosaved(page);

  const json = await download(page, 'download-json');
  assert.match(json.name, /\.json$/);
  assert.deepEqual(JSON.parse(json.bytes.toString('utf8')), original);

  for (const [id, first] of [
    ['export-lines-csv', 'line'],
    ['export-materials-csv', 'material'],
    ['export-chokepoints-csv', 'rank'],
  ]) {
    const csv = await download(page, id);
    const rows = parseCsv(csv.bytes.toString('utf8'));
    assert.ok(rows.length > 1, `${id} has data rows`);
    assert.equal(rows[0][0], first);
    for (const row of rows) assert.equal(row.length, rows[0].length, `${id}: every row as wide as the header`);
    if (id === 'export-lines-csv') assert.equal(rows[1][1], 'Exported, "quoted", label');
  }

  const xlsx = await download(page, 'export-xlsx');
  assert.deepEqual([...xlsx.bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'ZIP signature');
  assert.ok(xlsx.bytes.includes(Buffer.from('xl/worksheets/sheet3.xml')));

  await chartsDrawn(page);
  const svg = await download(page, 'export-svg-risk-matrix');
  const text = svg.bytes.toString('utf8');
  const parsed = await page.evaluate((t) => {
    const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
    return { root: doc.documentElement.nodeName, error: doc.getElementsByTagName('parsererror').length };
  }, text);
  assert.deepEqual(parsed, { root: 'svg', error: 0 });

  const png = await download(page, 'export-png-risk-matrix');
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.ok(png.bytes.length > 1000);

  // Change the portfolio, then open the exported file: the portfolio is back exactly.
  await labelField(page).fill('Changed before import');
  await waitForLabel(page, 'Changed before import');
  await openFile(page, json.name, json.bytes);
  await waitForLabel(page, 'Exported, "quoted", label');
  assert.deepEqual(await autosaved(page), original);
  // Everything happened in the page: same-page blob: URLs and the pages' part from the offline
  // copy; nothing reached the server.
  const toServer = env.server.requests.filter((r) => r.at >= mark).map((r) => r.path);
  assert.deepEqual(toServer, [], 'nothing reached the server during exports and import');
  // At this build's address (`?v=`, tests/e2e/offline-update.test.mjs).
  const lazyCode = /\/(pages-start\.js|pages-module\.js|chokepoint-pages_bg\.wasm)\?v=[0-9a-f]{16}$/;
  const network = requests.slice(afterLoad).filter((u) => !u.startsWith('blob:') && !lazyCode.test(u));
  assert.deepEqual(network, [], 'no request for exports and import but the pages\' part');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a malformed or newer JSON file is refused with a message and changes nothing', async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await calculatorDrawn(page);
  const before = await autosaved(page);
  await openFile(page, 'newer.json', JSON.stringify({ schema_version: 9, lines: [] }));
  await page.getByTestId('share-message').waitFor();
  assert.match(await page.getByTestId('share-message').innerText(), /newer version of Chokepoint/);
  await openFile(page, 'broken.json', '{"lines": [\n  {"material": "gallium",,');
  await page.waitForFunction(() => /broken\.json: .*line 2/.test(document.querySelector('[data-testid="share-message"]')?.innerText ?? ''));
  // Issue #16: a file over the line limit is refused before it is built, naming the limit.
  await openFile(page, 'huge.json', '{"schema_version":1,"lines":[' + '{},'.repeat(5_000) + '{}]}');
  await page.waitForFunction(() => /huge\.json: .*5\s001 lines, over the limit of 5\s000/.test(document.querySelector('[data-testid="share-message"]')?.innerText ?? ''));
  assert.deepEqual(await autosaved(page), before);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a portfolio too big for a link says so and offers the JSON file', async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await calculatorDrawn(page);
  // Labels that do not compress: random hex.
  const lines = Array.from({ length: 400 }, (_, i) => ({
    material: 'gallium',
    label: `${i}-${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`,
    spend: i + 1,
    revenue_share_pct: 1,
  }));
  await openFile(page, 'big.json', JSON.stringify({ schema_version: 1, lines }));
  await page.waitForFunction((key) => JSON.parse(localStorage.getItem(key)).portfolio.lines.length === 400, AUTOSAVE);
  await openShareMenu(page);
  await page.getByTestId('share-link').click();
  // The link is made by the pages' part (src/app/lazy.rs): the answer comes once it is loaded.
  await page.getByTestId('share-message').filter({ hasText: 'characters in a link' }).waitFor();
  const message = await page.getByTestId('share-message').innerText();
  assert.match(message, /more than the 7000 a link/);
  assert.match(message, /JSON file/);
  assert.equal(await page.getByTestId('share-url').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
