// End-to-end: what the visitor sees when a lazily loaded part fails (issue #16, defect 3). The
// import worker, the simulation worker and the pages' part each fail to load (the host answers
// 500, or drops the connection) or crash (a worker whose message handler traps, as a Rust panic
// or running out of memory does); the failure is shown where the visitor waits, with "Try
// again", which works once the host is healthy again; and the portfolio is untouched.
//
// The files are broken by a switch in front of the test server (harness.mjs, serveWithFaults);
// the offline copy is blocked, or it would answer instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { distDir, launchBrowser, serveWithFaults, calculatorDrawn } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serveWithFaults();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A worker's start script (static/sim-worker.js) with a message listener added in front of the
 * worker's own: the worker's first request throws WebAssembly's trap, as a panic (panic =
 * "abort") or an allocation failure of the release build does. Listeners run in the order they
 * were added, and the start script sets the worker's own only once its WebAssembly is running.
 */
function trappingWorker(bundle) {
  const start = readFileSync(join(distDir, `${bundle}.js`), 'utf8');
  return `self.addEventListener('message', (event) => {
  event.stopImmediatePropagation();
  throw new WebAssembly.RuntimeError('unreachable');
});
${start}`;
}

/** Opens the calculator with the offline copy blocked; records uncaught page errors. */
async function open(hash = '') {
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  await page.goto(`${server.url}${hash}`);
  await page.waitForSelector('[data-testid="app-ready"]', { timeout: 30_000 });
  return { page, context, pageErrors };
}

/** What the calculator shows of the portfolio, and what it autosaved. */
async function portfolioState(page) {
  await page.goto(`${server.url}#/calculator`);
  await calculatorDrawn(page);
  return {
    lines: await page.getByTestId('line-editor').count(),
    headline: await page.getByTestId('headline').innerText(),
    saved: await page.evaluate(() => localStorage.getItem('chokepoint:autosave')),
  };
}

test('an import whose worker cannot load, or crashes, says so and reads again on "Try again"', async () => {
  server.heal();
  const { page, context, pageErrors } = await open();
  // A portfolio of the visitor's own (a changed label), autosaved.
  await page.getByTestId('line-editor').first().getByLabel('Label (part, product or supplier)').fill('Cathode, own label');
  await page.waitForFunction(() => localStorage.getItem('chokepoint:autosave')?.includes('Cathode, own label'));
  const portfolio = await portfolioState(page);

  // 1. The worker's bundle does not load: the host answers 500.
  server.fail(/\/import-worker\.js$/);
  await page.goto(`${server.url}#/import`);
  await page.getByTestId('import-paste').fill('tin\tSolder\t300\t2');
  await page.getByTestId('import-read-paste').click();
  const stopped = page.getByTestId('import-stopped');
  await stopped.waitFor({ timeout: 30_000 });
  assert.match(await stopped.innerText(), /could not be read: .*import-worker\.js.*your portfolio is unchanged/is);
  assert.equal(await page.getByTestId('import-progress').count(), 0, 'no endless "Reading…"');
  // Once the host is back, "Try again" reads the same rows in a fresh worker.
  server.heal();
  await page.getByTestId('import-retry').click();
  await page.getByTestId('import-table').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('import-messages').innerText(), /1 line, no problems/);
  assert.equal(await stopped.count(), 0);

  // 2. The worker crashes on the job.
  server.fail(/\/import-worker\.js$/, { body: trappingWorker('import-worker'), type: 'text/javascript' });
  await page.getByTestId('import-files').setInputFiles({
    name: 'purchases.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('material,label,spend\ncobalt,Cells,10\ntungsten,Inserts,5\n'),
  });
  await stopped.waitFor({ timeout: 30_000 });
  assert.match(await stopped.innerText(), /the worker stopped: .*unreachable/i);
  assert.equal(await page.getByTestId('import-progress').count(), 0, 'no endless "Reading…"');
  assert.equal(await page.getByTestId('import-confirm').count(), 0, 'nothing half-read is offered');
  server.heal();
  await page.getByTestId('import-retry').click();
  await page.getByTestId('import-table').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('import-messages').innerText(), /2 lines, no problems/);

  // Nothing was confirmed: the portfolio is the visitor's, as before.
  assert.deepEqual(await portfolioState(page), portfolio);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a simulation whose worker cannot load, or crashes, says so and runs on "Try again"', async () => {
  server.heal();
  const { page, context, pageErrors } = await open();
  const portfolio = await portfolioState(page);
  await page.goto(`${server.url}#/scenarios`);
  await page.getByLabel('Trials').fill('2000');
  const stopped = page.getByTestId('mc-stopped');

  // 1. The worker's WebAssembly (the pages' part of the app's module, asked for again by the
  // worker: the host says not to keep it) does not load: the start script's promise rejects
  // inside the worker.
  server.fail(/\/chokepoint-pages_bg\.wasm$/);
  await page.getByTestId('mc-run').click();
  await stopped.waitFor({ timeout: 30_000 });
  assert.match(await stopped.innerText(), /stopped before it finished: .*Your portfolio is unchanged/s);
  assert.equal(await page.getByTestId('mc-progress').count(), 0, 'no endless "Running"');
  assert.ok(await page.getByTestId('mc-run').isEnabled());
  server.heal();
  await page.getByTestId('mc-retry').click();
  await page.getByTestId('mc-results').waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId('mc-results').innerText(), /^2000 trials, seed/m);

  // 2. The worker crashes on the job; then the connection drops when it is fetched.
  server.fail(/\/sim-worker\.js$/, { body: trappingWorker('sim-worker'), type: 'text/javascript' });
  await page.getByTestId('mc-run').click();
  await stopped.waitFor({ timeout: 30_000 });
  assert.match(await stopped.innerText(), /the worker stopped: .*unreachable/i);
  assert.equal(await page.getByTestId('mc-results').count(), 0);
  server.heal();
  server.fail(/\/sim-worker\.js$/, 'abort');
  await page.getByTestId('mc-retry').click();
  await stopped.waitFor({ timeout: 30_000 });
  assert.match(await stopped.innerText(), /sim-worker\.js/);
  server.heal();
  await page.getByTestId('mc-retry').click();
  await page.getByTestId('mc-results').waitFor({ timeout: 60_000 });

  assert.deepEqual(await portfolioState(page), portfolio);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

for (const [broken, answer] of [
  ['chokepoint-pages_bg.wasm', {}],
  ['pages-module.js', 'abort'],
  ['pages-start.js', {}],
]) {
  const failure = `${broken}: ${answer === 'abort' ? 'connection dropped' : '500'}`;
  const asked = () => server.requests.filter((path) => path.split('?')[0].endsWith(`/${broken}`)).length;

  test(`a page opened first whose part cannot load (${failure}) loads on "Try again"`, async () => {
    server.heal();
    const { page, context, pageErrors } = await open();
    const portfolio = await portfolioState(page);
    // The Scenarios page opened straight away in another tab (the same storage): the pages'
    // part is asked for by it alone.
    server.fail(new RegExp(`/${broken.replace(/\./g, '\\.')}$`), answer);
    const again = { page: await context.newPage(), pageErrors: [] };
    again.page.on('pageerror', (err) => again.pageErrors.push(String(err)));
    await again.page.goto(`${server.url}#/scenarios`);
    const error = again.page.getByTestId('page-load-error');
    await error.waitFor({ timeout: 30_000 });
    assert.match(await error.innerText(), /the Scenarios page could not be loaded: .*Your portfolio is safe/s);
    // Still broken: trying again asks the host again, fails again, and says so.
    const requested = asked();
    await error.getByRole('button', { name: 'Try again' }).click();
    for (let i = 0; asked() === requested && i < 300; i += 1) await again.page.waitForTimeout(100);
    assert.ok(asked() > requested, `"Try again" asked for ${broken} again`);
    await error.waitFor({ timeout: 30_000 });
    // Healed: trying again loads the page.
    server.heal();
    await error.getByRole('button', { name: 'Try again' }).click();
    await again.page.getByTestId('mc-run').waitFor({ timeout: 30_000 });
    assert.equal(await error.count(), 0);
    // The other lazy pages load from the same part, and the Calculator page's parts too.
    await again.page.goto(`${server.url}#/plan`);
    await again.page.getByRole('heading', { name: 'Diversification planner', level: 1 }).waitFor({ timeout: 30_000 });
    // The same portfolio, as the other tab saved it.
    const mine = ({ saved, ...shown }) => ({ ...shown, portfolio: JSON.parse(saved).portfolio });
    assert.deepEqual(mine(await portfolioState(again.page)), mine(portfolio));
    assert.deepEqual([...pageErrors, ...again.pageErrors], []);
    await context.close();
  });

  test(`the calculator whose part cannot load (${failure}) keeps its answer, and draws the rest on "Try again"`, async () => {
    server.heal();
    server.fail(new RegExp(`/${broken.replace(/\./g, '\\.')}$`), answer);
    const { page, context, pageErrors } = await open();
    // The first screen is the app's own: the answer is there without the pages' part.
    const headline = await page.getByTestId('headline').innerText();
    assert.match(headline, /Your largest chokepoint/);
    // Below it, the table, the editor and the share panel each say what went wrong.
    const table = page.getByTestId('results').getByTestId('page-load-error');
    await table.waitFor({ timeout: 30_000 });
    assert.match(await table.innerText(), /the table per material and stage could not be loaded: .*Your portfolio is safe/s);
    const editor = page.locator('.editor').getByTestId('page-load-error');
    await editor.waitFor({ timeout: 30_000 });
    assert.match(await editor.innerText(), /the editor could not be loaded/);
    const requested = asked();
    await table.getByRole('button', { name: 'Try again' }).click();
    for (let i = 0; asked() === requested && i < 300; i += 1) await page.waitForTimeout(100);
    assert.ok(asked() > requested, `"Try again" asked for ${broken} again`);
    await table.waitFor({ timeout: 30_000 });
    // Healed: "Try again" in the table draws the table and the editor, which no longer fail.
    server.heal();
    await table.getByRole('button', { name: 'Try again' }).click();
    await calculatorDrawn(page);
    assert.equal(await page.getByTestId('material-row').count() > 0, true);
    assert.equal(await page.getByTestId('page-load-error').count(), 0);
    assert.equal(await page.getByTestId('headline').innerText(), headline);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
}
