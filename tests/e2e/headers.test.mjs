// End-to-end: the HTTP headers the documentation tells a host to send (EMBEDDING.md, section 4,
// and docs/PRIVACY.md), read from the documentation itself, work with the release build (issue
// #16, defect 6). A browser enforces a header policy and the pages' <meta> policy both, so a
// documented header that allows less than the app needs leaves the page blank or its workers
// dead. Each documented set is served with dist/ exactly as written; the app renders, a Monte
// Carlo runs and a CSV is read in their workers, the widget renders, and nothing trips a policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { documentedHeaders, launchBrowser, serveStatic } from './harness.mjs';

const DOCUMENTED = [
  ['EMBEDDING.md', "### The calculator's server (the origin serving `dist/`)"],
  ['docs/PRIVACY.md', '## Headers a host should send'],
];

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

for (const [file, heading] of DOCUMENTED) {
  test(`the headers of ${file} ("${heading.replace(/^#+ /, '')}") work with the built app`, async () => {
    const headers = documentedHeaders(file, heading);
    assert.ok(headers['content-security-policy'], `${file} documents a Content-Security-Policy header`);
    assert.match(headers['content-security-policy'], /frame-ancestors /, 'the header carries what a <meta> cannot');
    const server = await serveStatic(undefined, headers);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const violations = [];
    const errors = [];
    const watch = (page) => {
      page.on('console', (m) => {
        if (/Content.Security.Policy|violates/i.test(m.text())) violations.push(m.text());
        // A failed load is recorded with its address below.
        else if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
      });
      page.on('pageerror', (err) => errors.push(String(err)));
      // embed.html names no icon, so the browser asks for /favicon.ico, which the build has not.
      page.on('response', (r) => {
        if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') errors.push(`${r.status()} ${r.url()}`);
      });
    };
    try {
      const page = await context.newPage();
      watch(page);
      const answer = await page.goto(server.url);
      // Served as documented: the browser got exactly these headers.
      for (const [name, value] of Object.entries(headers)) assert.equal(answer.headers()[name], value, name);
      await page.getByTestId('headline').waitFor({ timeout: 30_000 });
      assert.ok(await page.getByTestId('headline').isVisible());

      // A simulation in its worker.
      await page.goto(`${server.url}#/scenarios`);
      await page.getByLabel('Trials').fill('2000');
      await page.getByTestId('mc-run').click();
      await page.getByTestId('mc-results').waitFor({ timeout: 60_000 });

      // A small CSV read by the import worker.
      await page.goto(`${server.url}#/import`);
      await page.getByTestId('import-files').setInputFiles({
        name: 'small.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('material,label,spend\ncobalt,Cells,10\ntin,Solder,5\n'),
      });
      await page.getByTestId('import-table').waitFor({ timeout: 30_000 });
      assert.match(await page.getByTestId('import-messages').innerText(), /2 lines, no problems/);

      // The widget, opened on its own.
      const widget = await context.newPage();
      watch(widget);
      await widget.goto(`${server.url}embed.html#/embed?template=ev_car`);
      await widget.getByTestId('embed-chokepoints').locator('li').first().waitFor({ timeout: 30_000 });

      assert.deepEqual(violations, [], 'nothing the app does trips the documented policy');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await server.close();
    }
  });
}
