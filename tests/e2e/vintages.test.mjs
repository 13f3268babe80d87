// End-to-end: issue #17 parts 1, 2 and 4 in the release build. The 2025 USGS shares with their
// year and source, the 2024 vintage and the trend, the IEA projections; published shares; the
// warning for an entry the data contradicts, next to the field and on the dashboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveAndLaunch, openPage, calculatorDrawn } from './harness.mjs';

const env = serveAndLaunch();

test('gallium refining in Germany is kept, with a warning next to the field and on the dashboard', async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await calculatorDrawn(page);
  const gallium = page.getByTestId('line-editor').filter({ hasText: 'GaN power transistors' });
  const refining = gallium.getByTestId('stage-refining');
  await refining.getByTestId('stage-known').check();
  await refining.getByTestId('country-code').first().fill('DEU');
  const expected =
    'USGS 2025 records no gallium refining in Germany. If Germany is where your supplier is, ' +
    'enter it as the purchased component and leave refining unknown.';
  const warning = refining.getByTestId('field-warning');
  await warning.waitFor();
  assert.equal(await warning.innerText(), expected);
  // A warning, not an error: the field is valid and the entry stays as typed.
  const code = refining.getByTestId('country-code').first();
  assert.equal(await code.getAttribute('aria-invalid'), null);
  assert.equal(await code.inputValue(), 'DEU');
  const notice = page.getByTestId('sourcing-warnings');
  await notice.waitFor();
  assert.match(await notice.innerText(), /records no gallium refining in Germany/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the dashboard shows world shares as published, and the trend and outlook once opened', async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await calculatorDrawn(page);
  // Gallium refining is the world mix in the demo: USGS 2025, China 900,000 of 900,000 kg.
  const notes = page.getByTestId('published-note');
  const titles = await notes.evaluateAll((els) => els.map((e) => e.getAttribute('title')));
  assert.ok(
    titles.some((t) => t.startsWith('USGS 2025, as published; the published shares sum to 101.0 %')),
    titles.join(' | '),
  );
  assert.ok((await notes.allInnerTexts()).includes('as published; used: 99.0 %'));
  const panel = page.getByTestId('outlook-panel');
  await panel.locator('summary').click();
  await panel.getByTestId('outlook').waitFor();
  assert.match(await panel.getByTestId('trend-table').innerText(), /USGS 2024 → 2025/);
  const outlook = await panel.getByTestId('outlook-table').innerText();
  assert.match(outlook, /2030 \(IEA projection\)/);
  assert.match(outlook, /Refined magnet rare earth elements \(IEA\)/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the Sources page shows the 2025 USGS shares with year, the 2024 vintage and the projections', async () => {
  const { page, context, errors } = await openPage(env.browser, `${env.server.url}#/sources`);
  const lithium = page.getByTestId('shares-lithium');
  await lithium.waitFor();
  await lithium.locator('summary').click();
  const text = await lithium.innerText();
  assert.match(text, /Mining: USGS 2025 \(Mine production, lithium content\)/);
  assert.match(text, /2025, published\s+2024, published/);
  assert.match(text, /Australia\s+31\.7 %\s+37\.3 %\s+-5\.5/);
  assert.match(text, /United States\s+withheld\s+withheld/);
  assert.match(text, /IEA projections, base case: Mined lithium \(IEA\)/);
  assert.match(text, /2030 \(projection\)/);
  const gallium = page.getByTestId('shares-gallium');
  await gallium.locator('summary').click();
  assert.match(
    await gallium.getByTestId('normalisation').innerText(),
    /the 2025 shares sum to 101\.0 % as published; the calculations scale each by 0\.990/,
  );
  assert.deepEqual(errors, []);
  await context.close();
});
