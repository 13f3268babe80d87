// End-to-end test of embedding: a partner page on a second origin (localhost) includes embed.js
// from the calculator (127.0.0.1). The widget renders with the partner's theme, the frame's height
// follows the content as it grows and shrinks, the partner receives nothing but sizes until the
// visitor clicks the share button, then exactly one summary, which holds what the button's text
// promises and nothing of the quantity typed, all under the CSP headers of EMBEDDING.md (read
// from it); axe passes inside the frame. Also loads the JavaScript API example page and
// checks its result against its own inputs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { documentedHeaders, serveStatic, launchBrowser, renderOffscreen } from './harness.mjs';

let app;
let host;
let hostDir;
let browser;

const ACCENT = '#7a1fa2';
const BACKGROUND = '#fffbe6';

before(async () => {
  // The calculator is served with the headers EMBEDDING.md recommends, read from it, framing
  // allowed for the partner's origin only (any port of localhost) in place of its example
  // partners: a violation would show as a console error.
  const headers = documentedHeaders('EMBEDDING.md', "### The calculator's server (the origin serving `dist/`)");
  assert.match(headers['content-security-policy'], /frame-ancestors https:\/\/partner\.example/);
  headers['content-security-policy'] = headers['content-security-policy'].replace(
    /frame-ancestors [^;]*/,
    'frame-ancestors http://localhost:*',
  );
  app = await serveStatic(undefined, headers);
  const calculator = new URL(app.url).origin;
  // The partner's page, with the CSP EMBEDDING.md asks of it, on another origin: localhost.
  hostDir = mkdtempSync(join(tmpdir(), 'chokepoint-host-'));
  const served = await serveStatic(hostDir, {
    'content-security-policy': `default-src 'none'; script-src ${calculator}; frame-src ${calculator}; style-src 'self'; img-src data:`,
  });
  host = { url: served.url.replace('127.0.0.1', 'localhost'), close: served.close };
  writeFileSync(
    join(hostDir, 'index.html'),
    `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Partner page</title><link rel="icon" href="data:," /></head>
  <body>
    <main>
      <h1>Partner page</h1>
      <div id="widget" data-chokepoint data-accent="${ACCENT}" data-background="${BACKGROUND}"
        data-font="Georgia, serif" data-theme="light" data-template="ev_car"
        data-logo="javascript:alert(1)" data-cta-label="Talk to us"
        data-cta-href="https://partner.example/contact"></div>
      <chokepoint-calculator id="second" data-theme="dark" data-template="wind_onshore"
        data-full-link="hide"></chokepoint-calculator>
      <script src="${app.url}embed.js"></script>
    </main>
  </body>
</html>
`,
  );
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.close();
  await host?.close();
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
});

/** Heights of the iframe (in the host) and of the widget's content (inside the frame). */
async function heights(page, frame) {
  const outer = await page.$eval('#widget iframe[data-chokepoint-frame]', (f) => f.getBoundingClientRect().height);
  const inner = await frame.evaluate(() => ({
    content: Math.ceil(document.querySelector('.embed').getBoundingClientRect().height),
    scroll: document.documentElement.scrollHeight,
    client: document.documentElement.clientHeight,
  }));
  return { outer, ...inner };
}

/** Waits until the frame is exactly as tall as its content, and returns the heights. */
async function settled(page, frame) {
  let last;
  for (let i = 0; i < 100; i += 1) {
    last = await heights(page, frame);
    if (Math.abs(last.outer - last.content) <= 1 && last.scroll <= last.client) return last;
    await page.waitForTimeout(50);
  }
  assert.fail(`frame never matched its content: ${JSON.stringify(last)}`);
}

test('embedded widget under CSP on a second origin: theme, resizing, opt-in summary', async () => {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  await context.addInitScript(() => {
    if (window.top !== window) return;
    window.__messages = [];
    window.__summaries = [];
    window.addEventListener('message', (e) => window.__messages.push({ origin: e.origin, data: e.data }));
    document.addEventListener('chokepoint:summary', (e) => window.__summaries.push(e.detail));
  });
  const page = await context.newPage();
  const warnings = [];
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'warning') warnings.push(msg.text());
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(host.url);
  const iframe = await page.waitForSelector('#widget iframe[data-chokepoint-frame]');
  assert.equal(await iframe.getAttribute('title'), 'Chokepoint critical-minerals calculator');
  assert.equal(
    await iframe.getAttribute('sandbox'),
    'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox',
  );
  const frame = await iframe.contentFrame();
  await frame.waitForSelector('[data-testid="embed-chokepoints"] li', { timeout: 30_000 });
  assert.ok(frame.url().startsWith(`${app.url}embed.html#/embed?`), frame.url());

  // The configured template is picked; the invalid logo is ignored with a console warning.
  assert.equal(await frame.$eval('#embed-template', (s) => s.value), 'ev_car');
  assert.equal(await frame.$$eval('img', (imgs) => imgs.length), 0);
  assert.ok(warnings.some((w) => w.includes('`logo` ignored')), JSON.stringify(warnings));

  // Theme from the data attributes, through custom properties.
  const theme = await frame.evaluate(() => {
    const css = (el, p) => getComputedStyle(el).getPropertyValue(p);
    return {
      body: css(document.body, 'background-color'),
      font: css(document.body, 'font-family'),
      cta: css(document.querySelector('[data-testid="embed-cta"]'), 'background-color'),
      styleAttributes: document.querySelectorAll('[style]').length,
    };
  });
  assert.equal(theme.body, 'rgb(255, 251, 230)');
  assert.equal(theme.cta, 'rgb(122, 31, 162)');
  assert.match(theme.font, /Georgia/);
  // The custom properties are set through the CSSOM on the root element only.
  assert.ok(theme.styleAttributes <= 1);

  // Height follows the content: grows with the longer list, shrinks back.
  const start = await settled(page, frame);
  await frame.click('[data-testid="embed-more"]');
  await frame.waitForFunction(() => document.querySelectorAll('[data-testid="embed-chokepoints"] li').length > 3);
  let grown = await settled(page, frame);
  for (let i = 0; grown.outer <= start.outer && i < 40; i += 1) {
    await page.waitForTimeout(50);
    grown = await settled(page, frame);
  }
  assert.ok(grown.outer > start.outer, `grew: ${start.outer} -> ${grown.outer}`);
  await frame.click('[data-testid="embed-more"]');
  let shrunk = await settled(page, frame);
  for (let i = 0; shrunk.outer >= grown.outer && i < 40; i += 1) {
    await page.waitForTimeout(50);
    shrunk = await settled(page, frame);
  }
  assert.ok(shrunk.outer < grown.outer, `shrank: ${grown.outer} -> ${shrunk.outer}`);
  assert.ok(Math.abs(shrunk.outer - start.outer) <= 1);

  // Until the visitor opts in, the partner gets sizes and nothing else.
  let messages = await page.evaluate(() => window.__messages);
  assert.ok(messages.filter((m) => m.data.id === 'widget').length >= 3, 'resize messages');
  assert.ok(messages.some((m) => m.data.id === 'second'), 'the custom element reports its size too');
  for (const m of messages) {
    assert.equal(m.origin, new URL(app.url).origin);
    assert.deepEqual(Object.keys(m.data).sort(), ['height', 'id', 'protocol', 'type', 'version']);
    assert.equal(m.data.protocol, 'chokepoint-embed');
    assert.equal(m.data.version, 2);
    assert.equal(m.data.type, 'resize');
    assert.ok(['widget', 'second'].includes(m.data.id));
  }
  assert.deepEqual(await page.evaluate(() => window.__summaries), []);

  // The visitor opts in: exactly one summary arrives, with the numbers the widget shows.
  const button = await frame.$('[data-testid="embed-share"]');
  assert.equal(await button.textContent(), `Send my summary to localhost:${new URL(host.url).port}`);
  const before = messages.length;
  await button.click();
  await page.waitForFunction(() => window.__summaries.length > 0);
  await page.waitForTimeout(200);
  messages = await page.evaluate(() => window.__messages);
  const other = messages.slice(before).filter((m) => m.data.type !== 'resize');
  assert.equal(other.length, 1);
  const summaries = await page.evaluate(() => window.__summaries);
  assert.equal(summaries.length, 1);
  const summary = summaries[0];
  assert.deepEqual(other[0].data.summary, summary);
  assert.deepEqual(Object.keys(other[0].data).sort(), ['id', 'protocol', 'summary', 'type', 'version']);
  assert.equal(summary.template, 'ev_car');
  const headline = await frame.$eval('[data-testid="embed-headline"]', (e) => e.textContent);
  assert.equal(Number(headline.match(/^(\d+) materials/)[1]), summary.materials);
  const first = await frame.$eval('[data-testid="embed-chokepoints"] li strong', (e) => e.textContent);
  assert.match(first, new RegExp(summary.top_chokepoint.stage, 'i'));
  assert.match(await frame.$eval('[data-testid="embed-sent"]', (e) => e.textContent), /Summary sent to localhost/);

  // Exactly what the text under the button promises: the product, its number of materials, the
  // top chokepoint (material, stage, country, share) and the counts per action; no quantity.
  const note = await frame.$eval('[data-testid="embed-share-note"]', (e) => e.textContent);
  assert.match(note, /the product, its number of materials, the top chokepoint \(material, stage, country and its share\) and the number of materials per action\. Not the quantity you entered/);
  assert.deepEqual(Object.keys(summary).sort(), [
    'hold_buffer_stock', 'low_priority', 'materials', 'monitor', 'qualify_second_source', 'template', 'top_chokepoint',
  ]);
  assert.deepEqual(Object.keys(summary.top_chokepoint).sort(), ['country', 'material', 'share', 'stage']);
  // The units typed cannot be recovered: another quantity of the same product (the widget shows
  // other kilograms) sends the very same summary, with no quantity in it.
  await frame.fill('#embed-units', '73');
  await frame.waitForFunction(
    (old) => document.querySelector('[data-testid="embed-headline"]').textContent !== old,
    headline,
  );
  assert.match(await frame.$eval('[data-testid="embed-headline"]', (e) => e.textContent), /kg a year/);
  await frame.click('[data-testid="embed-share"]');
  await page.waitForFunction(() => window.__summaries.length > 1);
  const again = (await page.evaluate(() => window.__summaries))[1];
  assert.deepEqual(again, summary, 'the summary does not depend on the units typed');
  assert.doesNotMatch(JSON.stringify(again), /spend|unit|kg|exposed/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('embedded widgets (div and custom element, light and dark): no serious accessibility violations inside the frames', async () => {
  // axe-core cannot run inside a cross-origin frame under a CSP (Playwright's bypassCSP does not
  // reach the frame's <meta> policy): this audit alone runs without the policies; the test
  // above runs under them.
  const context = await browser.newContext({ viewport: { width: 900, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  await page.route('**/embed.html', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
    await route.fulfill({ response, body, headers: { 'content-type': 'text/html; charset=utf-8' } });
  });
  await page.goto(host.url);
  for (const id of ['widget', 'second']) {
    const iframe = await page.waitForSelector(`#${id} iframe[data-chokepoint-frame]`);
    const frame = await iframe.contentFrame();
    await frame.waitForSelector('[data-testid="embed-chokepoints"] li', { timeout: 30_000 });
    if (await frame.$('[data-testid="embed-more"]')) await frame.click('[data-testid="embed-more"]');
  }
  // The custom element in dark theme: its own frame, dark colours.
  const dark = await (await page.$('#second iframe')).contentFrame();
  assert.equal(await dark.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(18, 21, 28)');
  await renderOffscreen(page);
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
  assert.ok(!results.incomplete.some((r) => r.id === 'frame-tested'), 'axe ran inside the frame');
  assert.ok(
    results.passes.some((p) => p.id === 'color-contrast' && p.nodes.some((n) => n.target.length > 1)),
    'contrast checked inside the frame',
  );
  await context.close();
});

test('JavaScript API example page computes the assessment of its portfolio', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${app.url}chokepoint-api-example.html`);
  await page.waitForFunction(() => window.chokepointExample, null, { timeout: 30_000 });
  const { portfolio, result } = await page.evaluate(() => window.chokepointExample);
  const spend = portfolio.lines.reduce((s, l) => s + l.spend, 0);
  assert.equal(result.totals.spend, spend);
  assert.equal(result.totals.materials, portfolio.lines.length);
  assert.equal(result.totals.spend_unit, portfolio.spend_unit);
  // The firm's own refining mix for gallium: each country carries its share of the line's spend.
  const gallium = portfolio.lines[0];
  for (const [country, percent] of Object.entries(gallium.sourcing.refining)) {
    const c = result.chokepoints.find(
      (x) => x.material === 'gallium' && x.stage === 'refining' && x.country === country,
    );
    assert.ok(c, `chokepoint gallium/refining/${country}`);
    assert.ok(Math.abs(c.share - percent / 100) < 1e-9);
    assert.ok(Math.abs(c.spend_exposed - (gallium.spend * percent) / 100) < 1e-6);
  }
  const version = await page.evaluate(async () => (await import('./chokepoint-api.js')).version());
  assert.equal(version.portfolio_schema, portfolio.schema_version);
  assert.equal(version.api, 2, 'results changed shape in December 2026 (src/api.rs, API_VERSION)');
  // Bad input is an Error with structured details, not a crash.
  const problem = await page.evaluate(async () => {
    const api = await import('./chokepoint-api.js');
    try {
      api.assess({ schema_version: 1, lines: [{ material: 'unobtainium', spend: 1, revenue_share_pct: 1 }] });
      return null;
    } catch (e) {
      return { message: e.message, kind: e.details?.kind };
    }
  });
  assert.equal(problem.kind, 'invalid');
  assert.match(problem.message, /unobtainium/);
  assert.match(await page.textContent('[data-testid="api-headline"]'), /^2 materials/);
  assert.deepEqual(errors, []);
  await context.close();
});
