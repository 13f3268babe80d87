// End-to-end: the Calculator's flow diagram, its world map, its searchable material picker, and
// the time to recompute and repaint a 200-line portfolio. Release build served on 127.0.0.1,
// Debian Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { openPage, renderOffscreen, screenshotDir, serveAndLaunch, calculatorDrawn, chartsDrawn } from './harness.mjs';

const env = serveAndLaunch();

/** The (from, to) pairs of the diagram's bands, read from their SVG titles ("Mining → China: …"). */
async function bandPairs(flow) {
  const titles = await flow.locator('svg path.flow-band title').allTextContents();
  return titles.map((t) => t.split(':')[0].split(' → ').map((s) => s.trim()).join(' → ')).sort();
}

/** The (from, to) pairs of the diagram's data table. */
async function tablePairs(flow) {
  const rows = await flow.getByTestId('flow-table').locator('tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
  );
  return rows.map((cells) => `${cells[0]} → ${cells[1]}`).sort();
}

test('the flow diagram is drawn with a text alternative, and its table has a row per band', async () => {
  const { page, context, errors } = await openPage(env.browser, `${env.server.url}#/calculator`);
  await chartsDrawn(page);
  const flow = page.getByTestId('flow-chart');
  const svg = flow.locator('svg[role="img"]');
  const labelledBy = await svg.getAttribute('aria-labelledby');
  // The accessible name is the text of the labelling element (read as text: the card is off
  // screen, and off-screen chart cards are not rendered).
  const name = await page.locator(`#${labelledBy}`).textContent();
  assert.match(name, /Mining \(\d+(\.\d)? % of spend\): largest [A-Z][a-z]+/, name);
  const bands = await bandPairs(flow);
  assert.ok(bands.length >= 6, `bands drawn: ${bands.length}`);
  assert.deepEqual(await tablePairs(flow), bands, 'one table row per band, same ends');
  // Every material of the dashboard flows into the diagram (the demo has fewer than 8).
  const materials = await page.getByTestId('material-row').locator('th').allTextContents();
  for (const m of materials) {
    const short = m.split(' (')[0];
    assert.ok(bands.some((b) => b.startsWith(`${short} → `)), `${short} in the diagram`);
  }
  // Shares of spend into each stage equal the shares out of it (conservation, as printed).
  const rows = await flow.getByTestId('flow-table').locator('tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
  );
  const pctOf = (s) => Number(s.replace(/[^\d.]/g, ''));
  // Each printed share is rounded to a whole percent (a tenth below 1 %), so each side of a stage
  // can be off by half a point per band; the exact balance is tested natively (tests/it/flow.rs).
  for (const stage of ['Mining', 'Refining']) {
    const inBands = rows.filter((r) => r[1] === stage);
    const outBands = rows.filter((r) => r[0] === stage);
    const into = inBands.reduce((a, r) => a + pctOf(r[2]), 0);
    const out = outBands.reduce((a, r) => a + pctOf(r[2]), 0);
    const rounding = 0.5 * (inBands.length + outBands.length);
    assert.ok(Math.abs(into - out) <= rounding, `${stage}: ${into} in, ${out} out (rounding bound ${rounding})`);
  }
  await renderOffscreen(page);
  await flow.screenshot({ path: join(screenshotDir, 'flow-desktop.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await flow.screenshot({ path: join(screenshotDir, 'flow-dark.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('supply risk: the firm score with its threshold, and the EU SR as the EU\'s reference, flagged as older data', async () => {
  const { page, context, errors } = await openPage(env.browser, `${env.server.url}#/calculator`);
  await page.getByTestId('material-row').first().waitFor();
  const eu = await page.getByTestId('eu-reference').allTextContents();
  assert.ok(eu.length >= 1, 'the demo has materials the EU assessed');
  for (const text of eu) {
    assert.match(text, /^EU reference for the material, not your sourcing: SR \d+\.\d \(EU 2023, older data: about 2016-2020\)$/, text);
  }
  const cells = await page.getByTestId('material-row').locator('td:nth-child(3)').allTextContents();
  assert.ok(cells.some((c) => /^\d\.\d\d \(your sourcing, GeoPolRisk 0-1, (mining|refining); high from \d\.\d\d\)/.test(c)), cells.join(' | '));
  assert.deepEqual(errors, []);
  await context.close();
});

test('at 360 px the flow diagram scrolls inside its own frame, not the page', async () => {
  const viewport = { width: 360, height: 780 };
  const { page, context, errors } = await openPage(env.browser, `${env.server.url}#/calculator`, viewport);
  await chartsDrawn(page);
  const flow = page.getByTestId('flow-chart');
  const frame = flow.locator('.flow-scroll');
  const { client, scroll } = await frame.evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth }));
  assert.ok(scroll > client, `the drawing keeps a legible width (${scroll} px in ${client} px)`);
  const page_width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(page_width <= viewport.width, `page scrolls sideways (${page_width} px)`);
  await renderOffscreen(page);
  await flow.screenshot({ path: join(screenshotDir, 'flow-phone.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

/** Opens the dashboard's world map (loading the pages' part of the app) and returns its figure. */
async function openMap(page) {
  const panel = page.getByTestId('world-map-panel');
  await panel.locator('summary').click();
  const map = panel.getByTestId('world-map');
  await map.locator('svg path[data-code="CHN"]').waitFor();
  return map;
}

/** The exposure class (1-5) of each shaded country on the map, by alpha-3 code. */
async function shadedCountries(map) {
  return map.locator('svg path[data-code]').evaluateAll((paths) =>
    Object.fromEntries(
      paths
        .map((p) => [p.dataset.code, (p.getAttribute('class') ?? '').match(/map-k(\d)/)?.[1]])
        .filter(([, k]) => k)
        .map(([code, k]) => [code, Number(k)]),
    ),
  );
}

test('the world map shades countries by share of supply per stage, with a table row per country', async () => {
  const { page, context, errors } = await openPage(env.browser, `${env.server.url}#/calculator`);
  const map = await openMap(page);
  assert.equal(await map.getAttribute('data-view'), 'refining', 'refining shown first');
  const refining = await shadedCountries(map);
  assert.equal(refining.CHN, 5, `China carries the top class at refining: ${JSON.stringify(refining)}`);
  assert.equal(Math.max(...Object.values(refining)), 5);
  // The text alternative names the largest supplier; the SVG is labelled by it.
  const summary = await map.getByTestId('map-summary').innerText();
  assert.match(summary, /^\d+ % of your refining supply comes from China; \d+ countr(y|ies) at 5 % or more\./, summary);
  assert.equal(await map.locator('svg[role="img"]').getAttribute('aria-labelledby'), 'world-map-title world-map-desc');
  assert.match(await map.locator('svg path[data-code="CHN"] title').textContent(), /^China: \d+ %$/);
  // The table has one row per exposed country; each drawn one is shaded, every shaded one is a row.
  await map.locator('details summary', { hasText: 'Data table' }).click();
  const rows = await map.getByTestId('map-table').locator('tr').evaluateAll((trs) =>
    trs.map((tr) => ({ code: tr.dataset.code, small: tr.innerText.includes('too small to draw') })),
  );
  const drawn = rows.filter((r) => !r.small).map((r) => r.code).sort();
  assert.deepEqual(drawn, Object.keys(refining).sort(), 'table rows = shaded countries');
  assert.ok(rows.length >= 5, `rows: ${rows.length}`);
  // Legend: five classes with their limits, no exposure, no data.
  const legend = await map.getByTestId('map-legend').locator('li').allInnerTexts();
  assert.deepEqual(legend.slice(0, 5), ['under 5 %', '5 to 15 %', '15 to 30 %', '30 to 50 %', '50 % or more']);
  assert.match(legend[5], /No exposure/);
  assert.match(legend[6], /No data/);
  // Another stage changes the classes: the purchased components come from Japan, Germany, China, the USA.
  const options = await map.getByTestId('map-view').locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, ['mining', 'refining', 'component', 'direct']);
  await map.getByTestId('map-view').selectOption('component');
  await page.waitForFunction(() => document.querySelector('[data-testid="world-map"]')?.dataset.view === 'component');
  const component = await shadedCountries(map);
  assert.notDeepEqual(component, refining, 'classes change with the stage');
  assert.ok(component.JPN >= 4, `Japan at the component stage: ${JSON.stringify(component)}`);
  assert.equal(component.FIN, undefined, 'no component bought from Finland');
  assert.match(await map.getByTestId('map-summary').innerText(), /of your purchased components comes from Japan/);
  const componentRows = await map.getByTestId('map-table').locator('tr').count();
  assert.equal(componentRows, Object.keys(component).length);
  // An edit reaches the open map: the traction-motor magnets (most of the component spend, all
  // from Japan) no longer name their component supplier, so Japan's class drops.
  const magnets = page.getByTestId('line-editor').filter({ hasText: 'NdFeB magnets, traction motors' });
  await magnets.getByTestId('stage-component').getByTestId('stage-unknown').check();
  await page.waitForFunction(
    (k) => {
      const cls = document.querySelector('[data-testid="world-map"] path[data-code="JPN"]')?.getAttribute('class') ?? '';
      return !cls.includes(`map-k${k}`);
    },
    component.JPN,
  );
  const edited = await shadedCountries(map);
  assert.ok(edited.JPN < component.JPN, `Japan ${component.JPN} -> ${edited.JPN}`);
  assert.equal(await map.getAttribute('data-view'), 'component', 'the chosen stage is kept');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the opened world map has no serious accessibility violation; screenshots at phone and desktop width', async () => {
  for (const [label, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 360, height: 780 }],
  ]) {
    const { page, context, errors } = await openPage(env.browser, `${env.server.url}#/calculator`, viewport);
    const map = await openMap(page);
    await map.locator('details summary', { hasText: 'Data table' }).click();
    await renderOffscreen(page);
    const results = await new AxeBuilder({ page }).include('[data-testid="world-map-panel"]').analyze();
    const serious = results.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
    assert.deepEqual(
      serious.map((v) => `${v.id} (${v.impact}): ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`),
      [],
      `map at ${label} width`,
    );
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(pageWidth <= viewport.width, `page scrolls sideways (${pageWidth} px)`);
    const box = await map.locator('svg.map').boundingBox();
    assert.ok(box.width <= viewport.width && box.width >= viewport.width * 0.7, `map ${box.width} px wide`);
    const panel = page.getByTestId('world-map-panel');
    await panel.screenshot({ path: join(screenshotDir, `map-${label}.png`) });
    if (label === 'desktop') {
      await page.emulateMedia({ colorScheme: 'dark' });
      await panel.screenshot({ path: join(screenshotDir, 'map-dark.png') });
      await page.emulateMedia({ colorScheme: 'light', media: 'print' });
      assert.ok(await map.locator('svg.map').isVisible(), 'the opened map prints');
      await panel.screenshot({ path: join(screenshotDir, 'map-print.png') });
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the material picker filters as you type and works from the keyboard', async () => {
  const { page, context, errors } = await openPage(env.browser, `${env.server.url}#/calculator`);
  const line = page.getByTestId('line-editor').first();
  const box = line.getByRole('combobox', { name: 'Material' });
  const listbox = line.getByRole('listbox');
  await box.click();
  await box.fill('');
  await box.pressSequentially('gal');
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  const options = await listbox.getByRole('option').allTextContents();
  assert.ok(options.length >= 1 && options.length < 10, `filtered: ${options.join(' | ')}`);
  assert.match(options[0], /^Gallium/);
  // Arrows move the active option, Home and End jump, Escape closes and keeps the text.
  const active = async () => {
    const id = await box.getAttribute('aria-activedescendant');
    return id ? (await page.locator(`#${id}`).innerText()).trim() : null;
  };
  await box.press('ArrowDown');
  assert.match(await active(), /^Gallium/);
  assert.equal(await page.locator(`#${await box.getAttribute('aria-activedescendant')}`).getAttribute('aria-selected'), 'true');
  await box.press('End');
  assert.equal(await active(), options[options.length - 1].trim());
  await box.press('Home');
  assert.match(await active(), /^Gallium/);
  await box.press('Escape');
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  assert.equal(await box.inputValue(), 'gal');
  // A symbol finds its element; Enter picks the active option and the results follow.
  await box.fill('');
  await box.pressSequentially('Ge');
  await box.press('ArrowDown');
  assert.match(await active(), /^Germanium/);
  await box.press('Enter');
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  assert.equal(await box.inputValue(), 'Germanium');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="material-row"] th')].some((th) => th.textContent.startsWith('Germanium')),
  );
  // Text that names no material is kept, with the message next to the box.
  await box.fill('unobtainium');
  await box.press('Tab');
  assert.equal(await box.inputValue(), 'unobtainium');
  assert.equal(await box.getAttribute('aria-invalid'), 'true');
  const described = await box.getAttribute('aria-describedby');
  assert.match(await page.locator(`#${described}`).innerText(), /unobtainium.*not in the material catalogue/);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Fills the portfolio up to `n` lines, every catalogue material in turn, through the editor. */
async function growPortfolio(page, n) {
  const box = page.getByTestId('line-editor').first().getByRole('combobox', { name: 'Material' });
  await box.click();
  await box.press('ArrowDown');
  const ids = await page
    .getByTestId('line-editor')
    .first()
    .getByRole('option')
    .evaluateAll((opts) => opts.map((o) => o.id.replace(/^line0-material-opt-/, '')));
  await box.press('Escape');
  const existing = await page.getByTestId('line-editor').count();
  await page.evaluate((count) => {
    const add = document.querySelector('[data-testid="add-line"]');
    for (let i = 0; i < count; i++) add.click();
  }, n - existing);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="line-editor"]').length === n, n);
  await page.evaluate(
    ({ ids, from, n }) => {
      const set = (el, value, events) => {
        el.value = value;
        for (const type of events) el.dispatchEvent(new Event(type, { bubbles: true }));
      };
      for (let i = from; i < n; i++) {
        set(document.getElementById(`line${i}-material`), ids[(i * 37) % ids.length], ['input', 'change']);
        set(document.getElementById(`line${i}-spend`), String(10000 + ((i * 7919) % 90000)), ['input']);
        set(document.getElementById(`line${i}-revenue`), '0.4', ['input']);
      }
    },
    { ids, from: existing, n },
  );
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="headline"]')?.innerText.match(/(\d+) materials/)?.[1] > 50 &&
      document.querySelectorAll('[data-testid="line-editor"]').length === n,
    n,
  );
}

/**
 * Edits a share `runs` times. For each run, returns the milliseconds from the input event to
 * `frame`: the start of the next animation frame after the results changed in the DOM (the
 * computation and the DOM update); and to `painted`: the end of that frame's rendering (style,
 * layout and paint included), read by a message posted from the frame's animation callback,
 * which runs once the frame has been rendered.
 */
function timeEdits(page, runs) {
  return page.evaluate(async (runs) => {
    // A share in a mix of two or more countries (a lone country is 100 % whatever is typed).
    const input = [...document.querySelectorAll('.mix-table')]
      .map((t) => t.querySelectorAll('[data-testid="country-share"]'))
      .find((shares) => shares.length >= 2)[0];
    const results = document.querySelector('[data-testid="results"]');
    const channel = new MessageChannel();
    const times = [];
    // Values that differ from the one before and keep the mix within the 1-point tolerance of
    // 100 %, so that every edit changes the results and the line stays valid.
    const first = Number(input.value) || 50;
    for (let r = 0; r < runs; r++) {
      await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 30)));
      const t = await new Promise((done) => {
        let start;
        const observer = new MutationObserver(() => {
          observer.disconnect();
          clearTimeout(timeout);
          requestAnimationFrame(() => {
            const frame = performance.now() - start;
            channel.port1.onmessage = () => done({ frame, painted: performance.now() - start });
            channel.port2.postMessage(null);
          });
        });
        const timeout = setTimeout(() => {
          observer.disconnect();
          done({ frame: Number.NaN, painted: Number.NaN });
        }, 10_000);
        observer.observe(results, { subtree: true, childList: true, characterData: true, attributes: true });
        input.value = String(first - 0.2 - (r % 2) * 0.4);
        start = performance.now();
        input.dispatchEvent(new InputEvent('input', { bubbles: true }));
      });
      times.push(t);
    }
    return times;
  }, runs);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('a 200-line portfolio recomputes and repaints after a share edit (timed, printed)', async () => {
  const { page, context, errors } = await openPage(env.browser, `${env.server.url}#/calculator`);
  await calculatorDrawn(page);
  const small = await timeEdits(page, 11);
  await growPortfolio(page, 200);
  assert.equal(await page.getByTestId('line-editor').count(), 200);
  const large = await timeEdits(page, 11);
  const fmt = (xs) => `median ${median(xs).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}`;
  for (const [name, runs] of [['demo portfolio (7 lines)', small], ['200 lines', large]]) {
    console.log(`share edit, ${name}, 11 runs: to the next frame ${fmt(runs.map((t) => t.frame))}; painted ${fmt(runs.map((t) => t.painted))}`);
  }
  assert.ok(large.every((t) => Number.isFinite(t.painted) && t.painted >= t.frame && t.frame > 0));
  assert.deepEqual(errors, []);
  await context.close();
});
