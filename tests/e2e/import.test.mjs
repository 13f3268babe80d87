// End-to-end: importing a CSV portfolio and real CMRT supplier declarations through the file
// chooser, with column mapping, per-row messages, confirm, undo and cancel. The CMRT files are
// never copied into the project: rmi.mjs says where they are read from, and the tests that need
// them are reported skipped without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { openPage, renderOffscreen, serveAndLaunch, calculatorDrawn } from './harness.mjs';
import { realDeclaration, rmiTest } from './rmi.mjs';

const JX = 'CMRT6.4_JX_Advanced_Metals_REDACTED.xlsx';
const HONEYWELL = 'CMRT6.4_Honeywell_HEM_REDACTED.xlsx';

const env = serveAndLaunch();


async function assertAxeClean(page, label) {
  await renderOffscreen(page);
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`),
    [],
    label,
  );
}

function assertSameOrigin(requests) {
  const origin = new URL(env.server.url).origin;
  for (const url of requests) {
    if (url.startsWith('data:') || url.startsWith('blob:')) continue;
    assert.equal(new URL(url).origin, origin, `request to ${url}`);
  }
}

const CSV = [
  'Material,Part,Annual spend,Revenue share,Refining countries,Supplier',
  'tungsten,Carbide inserts,120000,8,"CHN 80, VNM 20",Tool Co',
  'unobtainium,Widget,500,1,,Acme',
  'cobalt,Cathode,lots,12,COD,Cell Co',
].join('\n');

test('a CSV imports through the file chooser: mapping, per-row messages, confirm, undo', async () => {
  const { page, context, errors, requests } = await openPage(env.browser, env.server.url);
  await calculatorDrawn(page);
  const before = await page.getByTestId('results').innerText();
  const linesBefore = await page.getByTestId('line-editor').count();
  await page.getByTestId('open-import').click();
  await page.getByRole('heading', { name: 'Import', exact: true }).waitFor();
  await page.getByTestId('import-files').setInputFiles({
    name: 'purchases.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(CSV),
  });
  await page.getByTestId('import-table').waitFor({ timeout: 30_000 });
  // Guessed from the header names; the second "label" column is left out at first.
  assert.equal(await page.getByTestId('import-map-0').inputValue(), 'material');
  assert.equal(await page.getByTestId('import-map-1').inputValue(), 'label');
  assert.equal(await page.getByTestId('import-map-2').inputValue(), 'spend');
  assert.equal(await page.getByTestId('import-map-4').inputValue(), 'refining');
  assert.equal(await page.getByTestId('import-map-5').inputValue(), 'ignore');
  // The user overrides: the supplier becomes the label instead of the part.
  await page.getByLabel('Column B: Part').selectOption('ignore');
  await page.getByLabel('Column F: Supplier').selectOption('label');
  assert.match(await page.getByTestId('import-preview').innerText(), /Supplier \(Label\)/);
  const messages = await page.getByTestId('import-messages').innerText();
  assert.match(messages, /3 lines; 2 problems/);
  assert.match(messages, /row 3, column A \(Material\): “unobtainium” is not in the material catalogue/);
  assert.match(messages, /row 4, column C \(Spend\): “lots” is not a number/);
  await assertAxeClean(page, 'import page with a table');
  // Nothing has changed yet.
  await page.getByTestId('import-mode-replace').check();
  await page.getByTestId('import-confirm').click();
  await calculatorDrawn(page);
  assert.equal(await page.getByTestId('line-editor').count(), 3);
  await page.waitForFunction(
    (old) => document.querySelector('[data-testid="results"]')?.innerText !== old,
    before,
  );
  assert.ok((await page.getByTestId('line-editor').filter({ hasText: 'Tool Co' }).count()) === 1, 'label from the remapped column');
  // The invalid text is kept for correction.
  const values = await page.locator('input').evaluateAll((inputs) => inputs.map((i) => i.value));
  assert.ok(values.includes('lots'), 'invalid spend kept as typed');
  await page.getByRole('button', { name: 'Undo' }).click();
  assert.equal(await page.getByTestId('line-editor').count(), linesBefore);
  assertSameOrigin(requests);
  assert.ok(requests.some((u) => u.includes('import-worker')), 'the import worker was loaded');
  assert.deepEqual(errors, []);
  await context.close();
});

rmiTest('files dropped on the drop zone import like picked files, several at once', async () => {
  const { page, context, errors, requests } = await openPage(env.browser, `${env.server.url}#/import`);
  const zone = page.getByTestId('import-drop');
  await zone.waitFor();
  // A real drag from the desktop, as the browser delivers it: a DataTransfer holding the files.
  const cmrt = readFileSync(realDeclaration(JX)).toString('base64');
  const transfer = await page.evaluateHandle(([csv, cmrt, cmrtName]) => {
    const data = new DataTransfer();
    data.items.add(new File([csv], 'purchases.csv', { type: 'text/csv' }));
    const bytes = Uint8Array.from(atob(cmrt), (c) => c.charCodeAt(0));
    data.items.add(new File([bytes], cmrtName, { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
    return data;
  }, [CSV, cmrt, JX]);
  await zone.dispatchEvent('dragover', { dataTransfer: transfer });
  assert.match(await zone.getAttribute('class'), /dragging/, 'the zone shows that it takes the drop');
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
  assert.doesNotMatch(await zone.getAttribute('class'), /dragging/);
  // Both files are read: the CSV's table review and the declaration's smelters.
  await page.getByTestId('import-table').waitFor({ timeout: 60_000 });
  await page.getByTestId('import-declarations').waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId('import-declarations').innerText(), /CMRT 6\.4/);
  assert.match(await page.getByTestId('import-messages').innerText(), /3 lines; 2 problems/);
  assertSameOrigin(requests);
  assert.deepEqual(errors, []);
  await context.close();
});

rmiTest('real CMRT declarations set the refining stage by facility count', async () => {
  const { page, context, errors, requests } = await openPage(env.browser, `${env.server.url}#/import`);
  // The import page is drawn by the pages' part of the app: loaded once the page's file input is there.
  await page.getByTestId('import-files').waitFor();
  const loaded = requests.length;
  assert.ok(!requests.some((u) => u.includes('import-worker')), 'worker not loaded before the first import');
  const t0 = Date.now();
  await page.getByTestId('import-files').setInputFiles([realDeclaration(JX), realDeclaration(HONEYWELL)]);
  const summary = page.getByTestId('import-declarations');
  // Both files read: the confirm step appears once the worker is done.
  await page.getByTestId('import-confirm').waitFor({ timeout: 60_000 });
  console.log(`import: 2 real CMRT files (${JX}, ${HONEYWELL}) read in ${Date.now() - t0} ms, worker load included`);
  const text = await summary.innerText();
  assert.match(text, /CMRT 6\.4/);
  assert.match(text, /Tungsten/);
  const mixes = await page.getByTestId('import-mixes').innerText();
  assert.match(mixes, /Tungsten \(from 2 files\): refining, facility count: China \d+/);
  // The worker's blob: loader (src/app/spawn.rs), its start script, and the app's module with the
  // pages' part that it runs (already loaded by the page, asked for again by the worker), nothing
  // else.
  const after = requests.slice(loaded);
  const workerFiles = /import-worker|pages-module|chokepoint-pages|chokepoint-[0-9a-f]{12,16}(_bg\.wasm|\.js)/;
  assert.ok(after.every((u) => workerFiles.test(u) || u.startsWith('blob:')), `only the worker was fetched: ${after}`);
  assert.ok(after.some((u) => u.includes('import-worker')), 'the worker bundle was loaded on the first import');
  await assertAxeClean(page, 'import page with declarations');
  await page.getByTestId('import-confirm').click();
  await calculatorDrawn(page);
  const tungsten = page.getByTestId('line-editor').filter({ hasText: 'Tungsten (supplier declarations)' });
  const codes = await tungsten.getByTestId('stage-refining').getByTestId('country-code')
    .evaluateAll((inputs) => inputs.map((i) => i.value));
  assert.ok(codes.includes('CHN'), `refining countries ${codes}`);
  assert.ok(codes.length >= 3, `several smelter countries: ${codes}`);
  assertSameOrigin(requests);
  assert.deepEqual(errors, []);
  await context.close();
});

rmiTest('a long import shows progress and can be cancelled; the next import still works', async () => {
  const { page, context, errors } = await openPage(env.browser, `${env.server.url}#/import`);
  const bytes = readFileSync(realDeclaration(HONEYWELL));
  const many = Array.from({ length: 16 }, (_, i) => ({
    name: `supplier-${i}.xlsx`,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: bytes,
  }));
  await page.getByTestId('import-files').setInputFiles(many);
  await page.getByTestId('import-progress').waitFor();
  assert.match(await page.getByTestId('import-progress').innerText(), /File \d+ of 16/);
  await page.getByTestId('import-cancel').click();
  assert.equal(await page.getByTestId('import-progress').count(), 0);
  // A fresh worker takes the next import. Its result arriving is the sync point: the cancelled
  // worker was terminated before it started, so anything of the cancelled job would be on the
  // page by now (no fixed wait, which could pass before a late message arrived).
  await page.getByTestId('import-paste').fill('tin\tSolder\t300\t2');
  await page.getByTestId('import-read-paste').click();
  await page.getByTestId('import-table').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('import-messages').innerText(), /1 line, no problems/);
  assert.equal(await page.getByTestId('import-declarations').count(), 0, 'nothing from the cancelled job');
  assert.deepEqual(errors, []);
  await context.close();
});
