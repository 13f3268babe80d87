// End-to-end: no input loses work held in the browser's storage (issue #16, defects 4 and 5).
// A share link keeps the autosave it replaces as a named save; two tabs never silently overwrite
// each other's autosave; an autosave of a newer version is left untouched; after a crash the app
// can start empty without reading (or deleting) the autosave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveAndLaunch, openShareMenu } from './harness.mjs';

const AUTOSAVE = 'chokepoint:autosave';
const env = serveAndLaunch();

/** A fresh page in `context` (a new context when none), with console and page errors recorded. */
async function open(context, url = env.server.url) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('[data-testid="app-ready"]', { timeout: 30_000 });
  return { page, errors };
}

function labelField(page) {
  return page.getByTestId('line-editor').first().getByLabel('Label (part, product or supplier)');
}

/** The autosave's stored text. */
function storedText(page) {
  return page.evaluate((key) => localStorage.getItem(key), AUTOSAVE);
}

/** The label of the autosaved portfolio's first line. */
async function storedLabel(page) {
  return JSON.parse((await storedText(page)) ?? 'null')?.portfolio?.lines?.[0]?.label;
}

/** Waits until the autosave holds a first line labelled `label`. */
async function waitForLabel(page, label) {
  await page.waitForFunction(
    ([key, label]) => JSON.parse(localStorage.getItem(key) ?? 'null')?.portfolio?.lines?.[0]?.label === label,
    [AUTOSAVE, label],
  );
}

// Defect 4: opening a share link overwrote the autosave without asking.
test('a share link keeps the autosaved work it replaces as a named save, and says under which name', async () => {
  const context = await env.browser.newContext();
  const { page } = await open(context);
  await labelField(page).fill('From the link');
  await waitForLabel(page, 'From the link');
  await openShareMenu(page);
  await page.getByTestId('share-link').click();
  const url = await page.getByTestId('share-url').inputValue();
  await labelField(page).fill('My own work');
  await waitForLabel(page, 'My own work');
  await page.close();

  // The same browser profile, later: the link replaces the portfolio.
  const { page: later, errors } = await open(context, url);
  await waitForLabel(later, 'From the link');
  const notice = later.getByTestId('app-notice');
  await notice.waitFor();
  const name = (await notice.innerText()).match(/"(Before opening a shared link, \d{4}-\d\d-\d\d \d\d:\d\d)"/)?.[1];
  assert.ok(name, await notice.innerText());
  const kept = await later.evaluate((key) => JSON.parse(localStorage.getItem(key)), `chokepoint:saved:${name}`);
  assert.equal(kept.portfolio.lines[0].label, 'My own work');
  // Listed in the panel, and opens.
  await openShareMenu(later);
  await later.getByTestId('saved-item').filter({ hasText: name }).waitFor();
  await later.getByRole('button', { name: `Open ${name}` }).click();
  assert.equal(await labelField(later).inputValue(), 'My own work');
  // The link again, over that work: kept again, under a name of its own. Then the link over the
  // very portfolio it carries: nothing to keep.
  await later.goto('about:blank');
  const { page: again } = await open(context, url);
  await waitForLabel(again, 'From the link');
  const saves = await again.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('chokepoint:saved:')));
  assert.equal(saves.length, 2, saves.join(', '));
  const third = await open(context, url);
  await third.page.getByTestId('app-ready').waitFor();
  await third.page.waitForTimeout(300);
  assert.equal((await third.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('chokepoint:saved:')))).length, 2);
  assert.deepEqual(errors, []);
  await context.close();
});

// Defect 4: two tabs overwrote each other's autosave.
test('two tabs: the second does not silently overwrite the first one\'s autosave, and can load it', async () => {
  const context = await env.browser.newContext();
  const a = await open(context);
  await labelField(a.page).fill('Base');
  await waitForLabel(a.page, 'Base');
  const b = await open(context);
  assert.equal(await labelField(b.page).inputValue(), 'Base');

  await labelField(a.page).fill('Edited in A');
  await waitForLabel(a.page, 'Edited in A');
  await labelField(b.page).fill('Edited in B');
  await b.page.waitForTimeout(400);
  assert.equal(await storedLabel(b.page), 'Edited in A', 'B wrote over A');
  const paused = b.page.getByTestId('autosave-paused');
  await paused.waitFor();
  assert.match(await paused.innerText(), /changed in another tab/);
  await labelField(b.page).fill('Edited in B again');
  await b.page.waitForTimeout(300);
  assert.equal(await storedLabel(b.page), 'Edited in A', 'B wrote over A on a later edit');

  // "Load the newer version" shows A's work; B autosaves again from there.
  await b.page.getByTestId('autosave-load').click();
  assert.equal(await labelField(b.page).inputValue(), 'Edited in A');
  await paused.waitFor({ state: 'detached' });
  await labelField(b.page).fill('B after loading');
  await waitForLabel(b.page, 'B after loading');

  // Now A is behind: it pauses, and "Keep this one" saves A's version over B's.
  await labelField(a.page).fill('A again');
  await a.page.getByTestId('autosave-paused').waitFor();
  assert.equal(await storedLabel(a.page), 'B after loading');
  await a.page.getByTestId('autosave-keep').click();
  await waitForLabel(a.page, 'A again');
  await a.page.getByTestId('autosave-paused').waitFor({ state: 'detached' });
  assert.deepEqual([...a.errors, ...b.errors], []);
  await context.close();
});

// Defect 5: an entry of a newer version was moved aside as corrupt, on every start.
test('an autosave of a newer version is left untouched: autosave paused with a message, no copy made', async () => {
  const context = await env.browser.newContext();
  const { page, errors } = await open(context);
  const newer = JSON.stringify({
    storage_version: 2,
    revision: 40,
    tab: 'from-the-future',
    portfolio: { schema_version: 3, lines: [{ material: 'gallium', label: 'Made by a newer version' }] },
  });
  await page.evaluate(([key, text]) => {
    localStorage.clear();
    localStorage.setItem(key, text);
  }, [AUTOSAVE, newer]);
  for (let start = 0; start < 2; start++) {
    await page.reload();
    await page.waitForSelector('[data-testid="app-ready"]');
    await labelField(page).fill(`Edited here ${start}`);
    await page.waitForTimeout(400);
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), [AUTOSAVE], 'no copy, nothing set aside');
    assert.equal(await storedText(page), newer);
    const paused = page.getByTestId('autosave-paused');
    await paused.waitFor();
    assert.match(await paused.innerText(), /made by a newer version of Chokepoint; this version can't read it and won't overwrite it/);
    assert.equal(await page.getByTestId('autosave-keep').count(), 0, 'no way to overwrite it');
  }
  // A damaged entry is still set aside, as before.
  await page.evaluate((key) => localStorage.setItem(key, '{"storage_version": 1, "portfolio": [tru'), AUTOSAVE);
  await page.reload();
  await page.getByTestId('app-notice').waitFor();
  assert.match(await page.getByTestId('app-notice').innerText(), /kept, unchanged/);
  assert.deepEqual(errors, []);
  await context.close();
});

// Defect 5: the crash panel had no way out when the autosave itself crashed the app.
test('"start empty" (the crash panel\'s way out) opens the app without reading the autosave, and deletes nothing', async () => {
  const context = await env.browser.newContext();
  const { page, errors } = await open(context);
  await labelField(page).fill('Kept through a crash');
  await waitForLabel(page, 'Kept through a crash');
  const before = await storedText(page);
  // What the panel's "Start empty, keep my saved data" does (src/app/panic.rs).
  await page.evaluate(() => history.replaceState(null, '', '#/calculator&start=empty'));
  await page.reload();
  await page.waitForSelector('[data-testid="app-ready"]');
  const paused = page.getByTestId('autosave-paused');
  await paused.waitFor();
  assert.match(await paused.innerText(), /started empty/);
  assert.equal(await labelField(page).inputValue(), '');
  assert.doesNotMatch(await page.evaluate(() => location.hash), /start=empty/);
  await labelField(page).fill('Scratch');
  await page.waitForTimeout(400);
  assert.equal(await storedText(page), before);
  // A reload reads the autosave again.
  await page.reload();
  await page.waitForSelector('[data-testid="app-ready"]');
  assert.equal(await labelField(page).inputValue(), 'Kept through a crash');
  assert.deepEqual(errors, []);
  await context.close();
});
